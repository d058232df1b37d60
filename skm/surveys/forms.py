"""The public survey form: what the template shows and what the respondent sent.

Not a Django form on purpose: validation belongs to :mod:`skm.surveys.recording` (one path for
every channel). This class only reads the posted values into a :class:`Submission`, and lays
out the questions, the kept values and the messages that ``record_response`` returned.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from skm.engine.profile import PEKERJAAN, PENDIDIKAN

from .models import QuestionnaireVersion
from .recording import MAX_AGE, MIN_AGE, SARAN_MAX, Submission

PROFILE_FIELDS = ("jenis_kelamin", "usia", "pendidikan", "pekerjaan", "saran")

JENIS_KELAMIN_CHOICES = (("L", gettext_lazy("Laki-laki")), ("P", gettext_lazy("Perempuan")))
PENDIDIKAN_LABELS = {
    "SD": gettext_lazy("SD atau sederajat"),
    "SMP": gettext_lazy("SMP atau sederajat"),
    "SMA": gettext_lazy("SMA/SMK atau sederajat"),
    "DIII": gettext_lazy("Diploma (D1, D2, D3)"),
    "S1": gettext_lazy("S1 atau D4"),
    "S2": gettext_lazy("S2"),
    "S3": gettext_lazy("S3"),
}
PEKERJAAN_LABELS = {
    "PNS": gettext_lazy("PNS/ASN"),
    "TNI": gettext_lazy("TNI"),
    "POLRI": gettext_lazy("POLRI"),
    "Swasta": gettext_lazy("Pegawai swasta"),
    "Wirausaha": gettext_lazy("Wirausaha"),
    "Lainnya": gettext_lazy("Lainnya"),
}
#: The one-time form token (signed, see skm.surveys.protection): a form is recorded once.
TOKEN_FIELD = "kirim_id"


@dataclass
class Choice:
    value: str
    label: str
    id: str
    checked: bool


@dataclass
class Question:
    number: int
    code: str
    name: str
    text: str
    choices: list[Choice]
    error: str = ""

    @property
    def first_id(self) -> str:
        return self.choices[0].id


class SurveyForm:
    """Questions of ``version`` in order, with the values in ``data`` (a POST) kept."""

    def __init__(self, version: QuestionnaireVersion, data=None, errors=None):
        self.data = data if data is not None else {}
        self.errors: dict[str, str] = dict(errors or {})
        self.unsur = version.ordered_unsur()  # uses the unsur remembered with the version
        self.codes = [u.code for u in self.unsur]

    # ---- reading a POST -------------------------------------------------------------------

    def value(self, name: str) -> str:
        raw = self.data.get(name) or ""
        return raw if name == "saran" else raw.strip()

    def submission(self) -> Submission:
        """What was posted, unvalidated: ``record_response`` decides what is acceptable."""
        return Submission(
            answers={code: self.value(code) for code in self.codes},
            jenis_kelamin=self.value("jenis_kelamin"),
            usia=self.value("usia"),
            pendidikan=self.value("pendidikan"),
            pekerjaan=self.value("pekerjaan"),
            saran=self.value("saran"),
        )

    # ---- laying it out ---------------------------------------------------------------------

    @property
    def total(self) -> int:
        return len(self.unsur)

    @cached_property
    def questions(self) -> list[Question]:
        result = []
        for number, u in enumerate(self.unsur, start=1):
            posted = self.value(u.code)
            choices = [
                Choice(str(v), label, f"{u.code}-{v}", posted == str(v))
                for v, label in enumerate(u.labels, start=1)
            ]
            result.append(Question(number, u.code, u.name, u.question, choices,
                                   self.errors.get(u.code, "")))
        return result

    def _choices(self, name, pairs) -> list[Choice]:
        posted = self.value(name)
        return [Choice(value, str(label), f"{name}-{value}", posted == value)
                for value, label in pairs]

    def jenis_kelamin(self) -> list[Choice]:
        return self._choices("jenis_kelamin", JENIS_KELAMIN_CHOICES)

    def pendidikan(self) -> list[Choice]:
        return self._choices("pendidikan", [(p, PENDIDIKAN_LABELS.get(p, p)) for p in PENDIDIKAN])

    def pekerjaan(self) -> list[Choice]:
        return self._choices("pekerjaan", [(p, PEKERJAAN_LABELS.get(p, p)) for p in PEKERJAAN])

    def error_list(self) -> list[dict]:
        """Every message, in page order, with the id of the field it links to."""
        items = []
        for q in self.questions:
            if q.error:
                items.append({"href": q.first_id, "text": _("Pertanyaan %(n)s: %(msg)s")
                              % {"n": q.number, "msg": q.error}})
        anchors = {"jenis_kelamin": "jenis_kelamin-L", "usia": "usia",
                   "pendidikan": "pendidikan", "pekerjaan": "pekerjaan", "saran": "saran"}
        names = {"jenis_kelamin": _("Jenis kelamin"), "usia": _("Usia"),
                 "pendidikan": _("Pendidikan"), "pekerjaan": _("Pekerjaan"),
                 "saran": _("Saran")}
        for name in PROFILE_FIELDS:
            if name in self.errors:
                items.append({"href": anchors[name],
                              "text": f"{names[name]}: {self.errors[name]}"})
        # anything else (a layanan closed meanwhile, an unknown unsur): no field to link to
        shown = set(self.codes) | set(PROFILE_FIELDS)
        for key, message in self.errors.items():
            if key not in shown:
                items.append({"href": "", "text": message})
        return items

    # limits shown to the browser; the server checks them again in record_response
    min_age, max_age, saran_max = MIN_AGE, MAX_AGE, SARAN_MAX
