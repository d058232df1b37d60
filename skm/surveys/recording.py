"""Recording one response: the single path every channel uses (web form, kiosk, API, paper).

Validation is complete before anything is written, and the write is one transaction.
Messages are Indonesian and keyed by field, so a form can show each at its field and the API
can return them as they are.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _

from skm.core import configcache
from skm.engine.profile import PEKERJAAN, PENDIDIKAN
from skm.results import summary
from skm.units.models import Layanan, Period, Unit
from skm.units.periods import period_containing

from . import suspicion
from .models import QuestionnaireVersion, Response

MIN_AGE, MAX_AGE = 10, 120
SARAN_MAX = 2000


class ResponseInvalid(Exception):
    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


@dataclass
class Submission:
    """What a respondent gave. Answers by unsur code; everything else optional."""

    answers: dict[str, object]
    jenis_kelamin: str = ""
    usia: object = None
    pendidikan: str = ""
    pekerjaan: str = ""
    saran: str = ""
    extra: dict = field(default_factory=dict)


def questionnaire_for(unit: Unit) -> QuestionnaireVersion:
    """The unit's questionnaire version with its unsur loaded; remembered per process until a
    unit or questionnaire changes (:mod:`skm.core.configcache`). Read-only."""

    def load():
        version = unit.questionnaire if unit.questionnaire_id else QuestionnaireVersion.default()
        prefetch_related_objects([version], "unsur")
        return version

    return configcache.remember(("questionnaire", unit.questionnaire_id), load)


def unit_by_slug(slug: str) -> Unit | None:
    """The unit a public form or kiosk names; remembered like :func:`questionnaire_for`."""
    return configcache.remember(("unit", slug), lambda: Unit.objects.filter(slug=slug).first())


def layanan_of(unit: Unit, slug: str) -> Layanan | None:
    """``unit``'s layanan ``slug``, active or not (callers decide); remembered per process."""
    return configcache.remember(("layanan", unit.pk, slug),
                                lambda: unit.layanan.filter(slug=slug).first())


def current_period(unit: Unit) -> Period:
    code = period_containing(timezone.localdate(), unit.period_kind).code
    return configcache.remember(("period", code), lambda: Period.get_or_create_code(code))


def _answer(value) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError
    number = int(str(value).strip())
    if number not in (1, 2, 3, 4):
        raise ValueError
    return number


def validate(submission: Submission, version: QuestionnaireVersion, require_all: bool = True):
    """``(slots, profile)`` ready to store, or :class:`ResponseInvalid` with every problem."""
    errors: dict[str, str] = {}
    slots: dict[str, int | None] = {}
    codes = version.slot_codes()
    known = set(codes.values())
    for code in submission.answers:
        if code not in known:
            errors[code] = _("Unsur %(code)s tidak ada di kuesioner ini.") % {"code": code}
    for slot, code in codes.items():
        try:
            value = _answer(submission.answers.get(code))
        except (TypeError, ValueError):
            errors[code] = _("Pilih salah satu dari empat jawaban.")
            continue
        if value is None and require_all:
            errors[code] = _("Pertanyaan ini belum dijawab.")
        slots[slot] = value
    if not require_all and not any(v for v in slots.values()):
        errors["__all__"] = _("Belum ada pertanyaan yang dijawab.")
    profile = {}
    gender = (submission.jenis_kelamin or "").strip().upper()
    if gender and gender not in ("L", "P"):
        errors["jenis_kelamin"] = _("Pilih L (laki-laki) atau P (perempuan).")
    profile["gender"] = gender
    age = submission.usia
    if age in (None, ""):
        profile["age"] = None
    else:
        try:
            age = int(str(age).strip())
            if not MIN_AGE <= age <= MAX_AGE:
                raise ValueError
            profile["age"] = age
        except (TypeError, ValueError):
            errors["usia"] = _("Usia diisi angka tahun, %(low)s sampai %(high)s.") % {
                "low": MIN_AGE, "high": MAX_AGE}
    for name, column, allowed in (("pendidikan", "education", PENDIDIKAN),
                                  ("pekerjaan", "occupation", PEKERJAAN)):
        value = (getattr(submission, name) or "").strip()
        if value and value not in allowed:
            errors[name] = _("Pilih salah satu: %(choices)s.") % {"choices": ", ".join(allowed)}
        profile[column] = value
    saran = (submission.saran or "").replace("\x00", "").strip()  # PostgreSQL refuses NUL
    if len(saran) > SARAN_MAX:
        errors["saran"] = _("Saran paling banyak %(n)s huruf.") % {"n": SARAN_MAX}
    profile["saran"] = saran
    if errors:
        raise ResponseInvalid(errors)
    return slots, profile


def record_response(
    unit: Unit,
    layanan: Layanan,
    submission: Submission,
    source: str,
    entered_by=None,
    period: Period | None = None,
    submitted_at=None,
    require_all: bool = True,
    origin: str | None = None,
) -> Response:
    """Validate and store one response in one transaction; raises :class:`ResponseInvalid`.

    ``origin`` names who sent it over the network (``"ip:<address>"``, ``"kiosk:<device>"``):
    given, the response is checked for bursts, duplicates and straight lines and flagged (see
    :mod:`skm.surveys.suspicion`); flagged responses are stored and counted all the same.
    Staff channels (paper, import) pass none.
    """
    if layanan.unit_id != unit.pk:
        raise ResponseInvalid({"layanan": _("Layanan ini bukan layanan unit tersebut.")})
    if not layanan.active:
        raise ResponseInvalid({"layanan": _("Layanan ini tidak sedang disurvei.")})
    version = questionnaire_for(unit)
    slots, profile = validate(submission, version, require_all=require_all)
    with transaction.atomic():
        response = Response.objects.create(
            unit=unit,
            layanan=layanan,
            period=period or current_period(unit),
            questionnaire=version,
            submitted_at=submitted_at or timezone.now(),
            source=source,
            entered_by=entered_by,
            **slots,
            **profile,
        )
        if origin:
            suspicion.check(response, origin)
        summary.apply([response])
        return response
