"""Questionnaire versions and responses.

A response keeps the questionnaire version it answered. Its answers sit in slots ``a1``..``a15``
in the order of that version's unsur, each slot naming its unsur code through the version, so a
response is always read by unsur code, never by a question's position on a printed form.
"""

from fractions import Fraction

from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from skm.core.scopes import UnitScopedManager
from skm.engine import DEFAULT_QUESTIONNAIRE, Questionnaire, Unsur
from skm.engine.profile import PEKERJAAN, PENDIDIKAN

MAX_UNSUR = 15
SLOTS = tuple(f"a{i}" for i in range(1, MAX_UNSUR + 1))


class QuestionnaireVersion(models.Model):
    unit = models.ForeignKey(
        "units.Unit", on_delete=models.CASCADE, null=True, blank=True,
        related_name="questionnaires", help_text=_("Kosong: kuesioner umum."),
    )
    name = models.CharField(_("nama"), max_length=200)
    version = models.CharField(_("versi"), max_length=80, unique=True)
    weights = models.CharField(
        _("skema bobot"), max_length=10, default="equal",
        choices=[("equal", "equal"), ("custom", "custom"), ("0.111", "0.111"), ("0.11", "0.11")],
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("versi kuesioner")
        verbose_name_plural = _("versi kuesioner")

    def __str__(self):
        return f"{self.name} ({self.version})"

    def to_engine(self) -> Questionnaire:
        unsur = [
            Unsur(u.code, u.name, u.question, (u.label1, u.label2, u.label3, u.label4),
                  Fraction(u.weight) if u.weight else None)
            for u in self.ordered_unsur()
        ]
        return Questionnaire(self.version, tuple(unsur), self.weights)

    def ordered_unsur(self) -> list:
        """The unsur by position; uses ``prefetch_related("unsur")`` when it was done."""
        return sorted(self.unsur.all(), key=lambda u: u.position)

    def slot_codes(self) -> dict[str, str]:
        """``{"a1": "U1", ...}`` for this version."""
        return {f"a{u.position}": u.code for u in self.ordered_unsur()}

    def copy_as_new(self) -> "QuestionnaireVersion":
        """An editable copy (the original may be frozen by its responses), e.g. to replace U4
        for a service that is free by law or to add unsur. Named "<version>-salinan-N"."""
        n = 1
        while QuestionnaireVersion.objects.filter(version=f"{self.version}-salinan-{n}").exists():
            n += 1
        copy = QuestionnaireVersion.objects.create(
            unit=self.unit, name=f"{self.name} (salinan)", version=f"{self.version}-salinan-{n}",
            weights=self.weights,
        )
        for u in self.unsur.all():
            u.pk = None
            u.questionnaire = copy
            u.save()
        return copy

    @classmethod
    def default(cls) -> "QuestionnaireVersion":
        """The nine unsur of the regulation, created on first use: the version and its unsur in
        one transaction, so a concurrent first request never sees a version without its unsur."""
        found = cls.objects.filter(version=DEFAULT_QUESTIONNAIRE.version).first()
        if found is not None:  # the usual case: no savepoint needed
            return found
        with transaction.atomic():
            version, created = cls.objects.get_or_create(
                version=DEFAULT_QUESTIONNAIRE.version,
                defaults={"name": "PermenPANRB 14/2017 (9 unsur)", "weights": "equal"},
            )
            if created:
                for position, u in enumerate(DEFAULT_QUESTIONNAIRE.unsur, start=1):
                    QuestionnaireUnsur.objects.create(
                        questionnaire=version, position=position, code=u.code, name=u.name,
                        question=u.question, label1=u.labels[0], label2=u.labels[1],
                        label3=u.labels[2], label4=u.labels[3],
                    )
        return version


class QuestionnaireUnsur(models.Model):
    questionnaire = models.ForeignKey(
        QuestionnaireVersion, on_delete=models.CASCADE, related_name="unsur"
    )
    position = models.PositiveSmallIntegerField()
    code = models.CharField(max_length=10)
    name = models.CharField(max_length=200)
    question = models.TextField()
    label1 = models.CharField(max_length=100)
    label2 = models.CharField(max_length=100)
    label3 = models.CharField(max_length=100)
    label4 = models.CharField(max_length=100)
    weight = models.CharField(max_length=20, blank=True, help_text=_("Hanya untuk skema custom."))

    class Meta:
        unique_together = [("questionnaire", "position"), ("questionnaire", "code")]
        ordering = ["position"]

    def __str__(self):
        return f"{self.code} {self.name}"

    @property
    def labels(self):
        return (self.label1, self.label2, self.label3, self.label4)


class Response(models.Model):
    class Source(models.TextChoices):
        ONLINE = "online", _("Formulir daring")
        KIOSK = "kiosk", _("Kios")
        PAPER = "paper", _("Kertas")
        IMPORT = "import", _("Impor")

    class Gender(models.TextChoices):
        L = "L", _("Laki-laki")
        P = "P", _("Perempuan")

    class Flag(models.TextChoices):
        BURST = "burst", _("Beruntun")
        DUPLICATE = "duplicate", _("Kembar")
        STRAIGHT = "straight", _("Jawaban seragam")

    class Review(models.TextChoices):
        PENDING = "pending", _("Menunggu tinjauan")
        ACCEPTED = "accepted", _("Diterima")
        REJECTED = "rejected", _("Ditolak")

    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    layanan = models.ForeignKey("units.Layanan", on_delete=models.PROTECT, related_name="+")
    period = models.ForeignKey("units.Period", on_delete=models.PROTECT, related_name="+")
    questionnaire = models.ForeignKey(
        QuestionnaireVersion, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(_("waktu"), db_index=True)
    source = models.CharField(_("sumber"), max_length=10, choices=Source.choices)
    gender = models.CharField(_("jenis kelamin"), max_length=1, choices=Gender.choices, blank=True)
    age = models.PositiveSmallIntegerField(_("usia"), null=True, blank=True)
    education = models.CharField(
        _("pendidikan"), max_length=10, blank=True, choices=[(p, p) for p in PENDIDIKAN]
    )
    occupation = models.CharField(
        _("pekerjaan"), max_length=10, blank=True, choices=[(p, p) for p in PEKERJAAN]
    )
    saran = models.TextField(_("saran"), blank=True)
    entered_by = models.ForeignKey(
        "auth.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    #: the import that brought this response in (source "import"), else empty
    batch = models.ForeignKey(
        "imports.ImportBatch", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="responses",
    )

    #: why the public form found this response suspicious (see skm.surveys.suspicion):
    #: reasons from ``Flag``, comma-separated in a fixed order, e.g. ``"burst,duplicate"``
    flags = models.CharField(_("tanda"), max_length=40, blank=True, default="")
    #: an operator's decision on a flagged response; ``rejected`` ones are not counted
    review = models.CharField(_("tinjauan"), max_length=10, blank=True, default="",
                              choices=Review.choices)
    reviewed_by = models.ForeignKey(
        "auth.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("waktu tinjauan"), null=True, blank=True)

    objects = UnitScopedManager()

    class Meta:
        indexes = [
            models.Index(fields=["unit", "period", "layanan"]),
            # the few flagged or reviewed responses, for the results page's flag summary
            models.Index(fields=["unit", "period"], name="response_flagged",
                         condition=~models.Q(flags="") | ~models.Q(review="")),
        ]
        verbose_name = _("respons")
        verbose_name_plural = _("respons")

    def flag_list(self) -> list[str]:
        return [f for f in self.flags.split(",") if f]

    def answers(self) -> dict[str, int | None]:
        """``{unsur code: answer}`` for this response's questionnaire version."""
        return {code: getattr(self, slot) for slot, code in self.questionnaire.slot_codes().items()}


for _slot in SLOTS:
    Response.add_to_class(
        _slot,
        models.PositiveSmallIntegerField(
            null=True, blank=True, choices=[(v, str(v)) for v in (1, 2, 3, 4)]
        ),
    )


class ResponseCorrection(models.Model):
    """One correction of a paper response by the operator who typed it, kept for audit.

    ``changes`` holds only what changed, ``{field: [old, new]}``: answers by unsur code
    (``"U3": [2, 3]``, ``null`` for a blank) and profile fields by their form names
    (``jenis_kelamin``, ``usia``, ``pendidikan``, ``pekerjaan``, ``saran``).
    """

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="corrections")
    user = models.ForeignKey(
        "auth.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(_("waktu koreksi"), db_index=True)
    changes = models.JSONField(_("perubahan"), default=dict)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("koreksi respons")
        verbose_name_plural = _("koreksi respons")

    def __str__(self):
        return f"{self.response_id} @ {self.at:%Y-%m-%d %H:%M}"
