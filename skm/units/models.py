"""Units in a hierarchy, their sections and layanan, survey periods, population, and who may
see or manage which unit."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from skm.core.scopes import UnitScopedManager

from .periods import KINDS, parse_period


class Unit(models.Model):
    """A body that surveys its users, or a region above such bodies."""

    class Kind(models.TextChoices):
        PROVINSI = "provinsi", _("Provinsi")
        KOTA = "kota", _("Kota/Kabupaten")
        KECAMATAN = "kecamatan", _("Kecamatan")
        KELURAHAN = "kelurahan", _("Kelurahan/Desa")
        PUSKESMAS = "puskesmas", _("Puskesmas")
        DINAS = "dinas", _("Dinas")
        UPT = "upt", _("UPT")
        MPP = "mpp", _("Mal Pelayanan Publik")
        LAINNYA = "lainnya", _("Lainnya")

    #: the administrative levels, top down; other kinds hang under any level
    LEVELS = ("provinsi", "kota", "kecamatan", "kelurahan")

    name = models.CharField(_("nama"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    kind = models.CharField(_("jenis"), max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children",
        verbose_name=_("induk"),
    )
    #: "/1/5/23/": ids from the root down, for subtree queries with one index lookup
    path = models.CharField(max_length=255, editable=False, db_index=True, default="/")
    period_kind = models.CharField(
        _("periode survei"), max_length=10, choices=[(k, k) for k in KINDS], default="semester"
    )
    questionnaire = models.ForeignKey(
        "surveys.QuestionnaireVersion", on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("kuesioner"),
        help_text=_("Kosong: sembilan unsur PermenPANRB 14/2017."),
    )
    keep_photo_location = models.BooleanField(
        _("simpan lokasi foto"), default=False,
        help_text=_("Jika dicentang, data lokasi (GPS) foto dokumentasi tetap disimpan; "
                    "data EXIF lainnya tetap dihapus."),
    )

    class Meta:
        ordering = ["path", "name"]
        verbose_name = _("unit")
        verbose_name_plural = _("unit")

    def __str__(self):
        return self.name

    def clean(self):
        if self.parent_id and self.pk:
            node = self.parent
            while node is not None:
                if node.pk == self.pk:
                    raise ValidationError(_("Unit tidak boleh menjadi induk dirinya sendiri."))
                node = node.parent

    def save(self, *args, **kwargs):
        old_path = self.path
        super().save(*args, **kwargs)
        parent_path = self.parent.path if self.parent_id else "/"
        new_path = f"{parent_path}{self.pk}/"
        if new_path != old_path:
            Unit.objects.filter(pk=self.pk).update(path=new_path)
            self.path = new_path
            if old_path != "/":  # moved: carry the subtree along
                for child in Unit.objects.filter(path__startswith=old_path).exclude(pk=self.pk):
                    child.path = new_path + child.path[len(old_path):]
                    Unit.objects.filter(pk=child.pk).update(path=child.path)

    def subtree(self):
        """This unit and every unit below it."""
        return Unit.objects.filter(path__startswith=self.path)

    def ancestors(self):
        ids = [int(i) for i in self.path.strip("/").split("/") if i]
        return Unit.objects.filter(pk__in=ids[:-1]).order_by("path")

    def ancestor_of_kind(self, kind):
        return next((u for u in self.ancestors() if u.kind == kind), None)


class Section(models.Model):
    """A seksi of a unit, e.g. Ekbang = Seksi Ekonomi dan Pembangunan (penanggung jawab of RTL)."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="sections")
    code = models.CharField(_("singkatan"), max_length=40)
    name = models.CharField(_("nama"), max_length=200)

    class Meta:
        unique_together = [("unit", "code")]
        ordering = ["code"]
        verbose_name = _("seksi")
        verbose_name_plural = _("seksi")

    def __str__(self):
        return self.code


class Layanan(models.Model):
    """A jenis pelayanan of a unit."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="layanan")
    name = models.CharField(_("nama"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=80)
    active = models.BooleanField(_("aktif"), default=True)
    order = models.PositiveIntegerField(_("urutan"), default=0)

    objects = UnitScopedManager()

    class Meta:
        unique_together = [("unit", "slug")]
        ordering = ["order", "name"]
        verbose_name = _("layanan")
        verbose_name_plural = _("layanan")

    def __str__(self):
        return self.name


class Period(models.Model):
    """A survey period: ``2024-S2``, ``2024-TW3`` or ``2024``."""

    code = models.CharField(_("kode"), max_length=10, unique=True)
    kind = models.CharField(_("jenis"), max_length=10, choices=[(k, k) for k in KINDS])
    year = models.PositiveSmallIntegerField(_("tahun"))
    number = models.PositiveSmallIntegerField(default=0)
    start = models.DateField(_("mulai"))
    end = models.DateField(_("selesai"))

    class Meta:
        ordering = ["start", "-end"]
        verbose_name = _("periode")
        verbose_name_plural = _("periode")

    def __str__(self):
        return self.label

    @property
    def label(self):
        return parse_period(self.code).label

    @classmethod
    def get_or_create_code(cls, code: str) -> "Period":
        spec = parse_period(code)
        period, _ = cls.objects.get_or_create(
            code=spec.code,
            defaults={"kind": spec.kind, "year": spec.year, "number": spec.number,
                      "start": spec.start, "end": spec.end},
        )
        return period

    def contained_periods(self):
        """Periods whose dates lie within this one (itself included): a year holds its semesters
        and triwulan, so results for 2024 count every response collected in 2024."""
        return Period.objects.filter(start__gte=self.start, end__lte=self.end)


class Population(models.Model):
    """The number of service users of a layanan in a period: the N of Krejcie-Morgan."""

    layanan = models.ForeignKey(Layanan, on_delete=models.CASCADE, related_name="populations")
    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="+")
    size = models.PositiveIntegerField(_("populasi"))

    class Meta:
        unique_together = [("layanan", "period")]
        verbose_name = _("populasi")
        verbose_name_plural = _("populasi")


class Membership(models.Model):
    """A user's role at a unit. Superusers are admins and see everything."""

    class Role(models.TextChoices):
        SUPERVISOR = "supervisor", _("Supervisor (membaca seluruh unit di bawahnya)")
        OPERATOR = "operator", _("Operator (mengelola unitnya)")
        VIEWER = "viewer", _("Viewer (membaca unitnya)")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("peran"), max_length=20, choices=Role.choices)

    class Meta:
        unique_together = [("user", "unit")]
        verbose_name = _("keanggotaan")
        verbose_name_plural = _("keanggotaan")

    def __str__(self):
        return f"{self.user} - {self.unit} ({self.role})"
