"""Paper entry: operators type in paper questionnaires at the unit's office, keyboard first.

``/u/<slug>/kertas/`` for the operators (and admins) of the unit, through
:func:`skm.core.access.get_unit` with ``manage=True``; everyone else gets a 404. One plain HTML
form per response, so the page works without JavaScript; ``skm/static/skm/paper.js`` only adds
the keys (a digit fills the unsur and moves on) and saves without reloading the page.

Every response goes through :func:`skm.surveys.recording.record_response` with source "paper"
and the operator as ``entered_by``. Blanks are allowed, as paper forms have them, but must be
typed (0 or -), so a skipped field is caught instead of silently stored as a blank.

An operator may correct their own entries of today (local date); the correction moves the
summary counts and keeps a :class:`ResponseCorrection` with who, when, old and new values.
See docs/paper-entry.md.
"""

from __future__ import annotations

import copy
import re
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db import transaction
from django.db.models import Count
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from skm.core.access import get_unit
from skm.engine.profile import PEKERJAAN, PENDIDIKAN
from skm.followup.services import tanggal_id
from skm.results import summary
from skm.results.services import unit_results
from skm.units.models import Layanan, Period, Unit
from skm.units.periods import parse_period, period_containing

from .forms import PEKERJAAN_LABELS, PENDIDIKAN_LABELS, TOKEN_FIELD
from .models import QuestionnaireVersion, Response, ResponseCorrection
from .recording import (
    ResponseInvalid,
    Submission,
    current_period,
    questionnaire_for,
    record_response,
    validate,
)

PAPER = Response.Source.PAPER
#: what an operator types for an item left blank on the paper
BLANK_MARKS = ("0", "-")
#: number keys for pendidikan and pekerjaan, as shown on screen: "1" = SD, ...
PENDIDIKAN_KEYS = {str(n): code for n, code in enumerate(PENDIDIKAN, start=1)}
PEKERJAAN_KEYS = {str(n): code for n, code in enumerate(PEKERJAAN, start=1)}
#: profile fields: (form name, Response column)
PROFILE = (("jenis_kelamin", "gender"), ("usia", "age"), ("pendidikan", "education"),
           ("pekerjaan", "occupation"), ("saran", "saran"))
#: periods offered besides the current one (paper forms arrive late)
EARLIER_PERIODS = 3
TOKEN_SECONDS = 60 * 60
_TOKEN = re.compile(r"^[0-9a-f]{32}$")


# ---- reading what the operator typed ---------------------------------------------------------


def _keyed(raw: str, keys: dict[str, str], allowed, name: str, errors: dict) -> str:
    """A number key ("3") or the code itself ("SMA") to the stored code; blank marks to ""."""
    if raw in ("", *BLANK_MARKS):
        return ""
    if raw in keys:
        return keys[raw]
    by_code = {code.upper(): code for code in allowed}
    if raw.upper() in by_code:
        return by_code[raw.upper()]
    errors[name] = _("Ketik angka 1 sampai %(n)s sesuai daftar, atau 0 bila kosong.") % {
        "n": len(keys)}
    return raw


def read_entry(post, version: QuestionnaireVersion) -> tuple[Submission, dict[str, str]]:
    """The posted grid as a :class:`Submission`, and every problem keyed by field.

    Each unsur must be typed: 1-4, or 0 / - for a blank on the paper. An empty field is a
    field the operator skipped, not a blank, and is refused. The rest of the checks are those
    of :func:`skm.surveys.recording.validate`, run here too so all messages come at once.
    """
    errors: dict[str, str] = {}
    answers: dict[str, object] = {}
    for code in version.slot_codes().values():
        raw = (post.get(code) or "").strip()
        if raw == "":
            errors[code] = _("Belum diketik: ketik 1-4, atau 0 bila kosong di kertas.")
            answers[code] = None
        else:
            answers[code] = None if raw in BLANK_MARKS else raw
    gender = (post.get("jenis_kelamin") or "").strip().upper()
    age = (post.get("usia") or "").strip()
    submission = Submission(
        answers=answers,
        jenis_kelamin="" if gender in BLANK_MARKS else gender,
        usia="" if age in BLANK_MARKS else age,
        pendidikan=_keyed((post.get("pendidikan") or "").strip(), PENDIDIKAN_KEYS, PENDIDIKAN,
                          "pendidikan", errors),
        pekerjaan=_keyed((post.get("pekerjaan") or "").strip(), PEKERJAAN_KEYS, PEKERJAAN,
                         "pekerjaan", errors),
        saran=post.get("saran") or "",
    )
    try:
        validate(submission, version, require_all=False)
    except ResponseInvalid as invalid:
        for key, message in invalid.errors.items():
            if key == "__all__" and any(k in errors for k in answers):
                continue  # "nothing answered" says less than "U1 not typed yet"
            errors.setdefault(key, message)
    return submission, errors


def values_of(response: Response) -> dict[str, str]:
    """A stored response as the grid shows it: digits, "-" for a blank, number keys."""
    values = {code: "-" if value is None else str(value)
              for code, value in response.answers().items()}
    keys_p = {code: key for key, code in PENDIDIKAN_KEYS.items()}
    keys_k = {code: key for key, code in PEKERJAAN_KEYS.items()}
    values.update({
        "jenis_kelamin": response.gender or "-",
        "usia": "" if response.age is None else str(response.age),
        "pendidikan": keys_p.get(response.education, "-"),
        "pekerjaan": keys_k.get(response.occupation, "-"),
        "saran": response.saran,
    })
    return values


# ---- laying out the grid ---------------------------------------------------------------------


@dataclass
class Cell:
    name: str
    number: int
    label: str
    hint: str
    value: str
    error: str


class EntryGrid:
    """The nine (or more) unsur in one row, then the profile keys; values and messages kept."""

    def __init__(self, version: QuestionnaireVersion, values=None, errors=None):
        values = values or {}
        self.values = {name: values.get(name) or "" for name in values}  # a QueryDict too
        self.errors = dict(errors or {})
        self.unsur = version.ordered_unsur()  # uses the unsur remembered with the version

    def _value(self, name):
        return self.values.get(name, "")

    @property
    def answers(self) -> list[Cell]:
        return [
            Cell(u.code, n, u.name,
                 " · ".join(f"{v} {label}" for v, label in enumerate(u.labels, start=1)),
                 self._value(u.code), self.errors.get(u.code, ""))
            for n, u in enumerate(self.unsur, start=1)
        ]

    @property
    def pendidikan_keys(self):
        return [(key, PENDIDIKAN_LABELS.get(code, code)) for key, code in PENDIDIKAN_KEYS.items()]

    @property
    def pekerjaan_keys(self):
        return [(key, PEKERJAAN_LABELS.get(code, code)) for key, code in PEKERJAAN_KEYS.items()]

    @property
    def first_invalid(self) -> str:
        for name in [u.code for u in self.unsur] + [p for p, _c in PROFILE]:
            if name in self.errors:
                return name
        return ""

    def error_list(self) -> list[dict]:
        """Every message in page order, with the id of its field (empty: no field)."""
        names = {"jenis_kelamin": _("Jenis kelamin"), "usia": _("Usia"),
                 "pendidikan": _("Pendidikan"), "pekerjaan": _("Pekerjaan"),
                 "saran": _("Saran")}
        items = [{"href": f"isian-{u.code}", "text": f"{u.code} {u.name}: {self.errors[u.code]}"}
                 for u in self.unsur if u.code in self.errors]
        items += [{"href": f"isian-{p}", "text": f"{names[p]}: {self.errors[p]}"}
                  for p, _c in PROFILE if p in self.errors]
        shown = {u.code for u in self.unsur} | {p for p, _c in PROFILE}
        items += [{"href": "", "text": message} for key, message in self.errors.items()
                  if key not in shown]
        return items


# ---- choosing layanan and period -------------------------------------------------------------


def _period(code: str | None, unit: Unit) -> Period:
    if not code:
        return current_period(unit)
    try:
        return Period.get_or_create_code(parse_period(code).code)
    except ValueError:
        raise Http404(_("Periode tidak dikenal.")) from None


def period_choices(unit: Unit, chosen: Period) -> list[tuple[str, str]]:
    """The unit's current period and the ones just before it, newest first."""
    spec = period_containing(timezone.localdate(), unit.period_kind)
    specs = [spec]
    for _n in range(EARLIER_PERIODS):
        spec = period_containing(spec.start - timedelta(days=1), unit.period_kind)
        specs.append(spec)
    choices = [(s.code, s.label) for s in specs]
    if chosen.code not in {code for code, _label in choices}:
        choices.insert(0, (chosen.code, chosen.label))
    return choices


def _layanan(unit: Unit, slug: str | None) -> Layanan | None:
    active = list(unit.layanan.filter(active=True))
    if slug:
        for item in active:
            if item.slug == slug:
                return item
        raise Http404(_("Layanan tidak ditemukan atau tidak aktif."))
    return active[0] if len(active) == 1 else None


def entry_url(unit: Unit, layanan: Layanan | None = None, period: Period | None = None,
              **extra) -> str:
    query = {}
    if layanan is not None:
        query["layanan"] = layanan.slug
    if period is not None:
        query["periode"] = period.code
    query.update({k: v for k, v in extra.items() if v})
    url = reverse("paper-entry", kwargs={"slug": unit.slug})
    return f"{url}?{urlencode(query)}" if query else url


def _see_other(url: str) -> HttpResponseRedirect:
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response


# ---- today's entries and who may correct them ------------------------------------------------


def _day_bounds(day: date) -> tuple[datetime, datetime]:
    zone = timezone.get_current_timezone()
    start = datetime.combine(day, time.min, tzinfo=zone)
    return start, datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)


def todays_entries(unit: Unit, user) -> list[Response]:
    """This user's paper responses of today (local date) at this unit, newest first."""
    start, end = _day_bounds(timezone.localdate())
    return list(
        Response.objects.within([unit])
        .filter(source=PAPER, entered_by=user, submitted_at__gte=start, submitted_at__lt=end)
        .select_related("layanan", "period", "questionnaire")
        .order_by("-submitted_at", "-pk")
    )


def refusal(response: Response, user) -> str:
    """Why ``user`` may not correct ``response`` (empty: they may).

    Only the operator who typed a paper response, and only on the day they typed it: later
    changes would quietly rewrite results others may already have read.
    """
    if response.source != PAPER:
        return _("Hanya respons dari kertas yang dapat dikoreksi di sini.")
    if response.entered_by_id != user.pk:
        return _("Respons ini diketik oleh pengguna lain; hanya pengetiknya yang dapat "
                 "mengoreksi.")
    if timezone.localtime(response.submitted_at).date() != timezone.localdate():
        return _("Respons ini diketik sebelum hari ini; koreksi hanya pada hari yang sama.")
    return ""


def _summary_line(response: Response, codes: dict[str, str]) -> str:
    return " ".join("-" if getattr(response, slot) is None else str(getattr(response, slot))
                    for slot in codes)


def _rows(entries: list[Response]) -> list[dict]:
    codes_by_version: dict[int, dict[str, str]] = {}
    corrected = dict(
        ResponseCorrection.objects.filter(response__in=entries)
        .values_list("response_id").annotate(n=Count("id")).order_by()
    ) if entries else {}
    rows = []
    for r in entries:
        codes = codes_by_version.setdefault(r.questionnaire_id, r.questionnaire.slot_codes())
        profile = " ".join(p for p in (r.gender, str(r.age) if r.age else "", r.education,
                                       r.occupation) if p) or "-"
        rows.append({"response": r, "time": timezone.localtime(r.submitted_at),
                     "answers": _summary_line(r, codes), "profile": profile,
                     "corrections": corrected.get(r.pk, 0)})
    return rows


# ---- the entry page --------------------------------------------------------------------------


def _sample(unit: Unit, layanan: Layanan, period: Period):
    """The Krejcie-Morgan check of this layanan in this period, from the results service."""
    for sample in unit_results(unit, period).samples:
        if sample.layanan.pk == layanan.pk:
            return sample
    return None


def _saved(unit: Unit, user, pk: str | None) -> Response | None:
    if not pk or not pk.isdigit():
        return None
    return (Response.objects.within([unit]).filter(pk=int(pk), entered_by=user, source=PAPER)
            .select_related("layanan", "period").first())


def _render_entry(request, unit, layanan, period, grid, token, status=200):
    context = {
        "unit": unit,
        "layanan": layanan,
        "period": period,
        "layanan_choices": list(unit.layanan.filter(active=True)),
        "period_choices": period_choices(unit, period),
        "grid": grid,
        "token_field": TOKEN_FIELD,
        "token": token,
        "today": tanggal_id(timezone.localdate()),
        "rows": _rows(todays_entries(unit, request.user)),
        "manage_url": reverse("manage", kwargs={"slug": unit.slug}),
        "history_url": reverse("paper-history", kwargs={"slug": unit.slug}),
    }
    if layanan is not None:
        sample = _sample(unit, layanan, period)
        context.update({
            "sample": sample,
            "remaining": max(sample.minimum - sample.respondents, 0)
            if sample and sample.minimum else None,
            "action": entry_url(unit, layanan, period),
            "saved": _saved(unit, request.user, request.GET.get("tersimpan")),
            "corrected": _saved(unit, request.user, request.GET.get("dikoreksi")),
            "unchanged": request.GET.get("tanpa_perubahan") == "1",
            "population_url": reverse("manage", kwargs={"slug": unit.slug})
            + "?" + urlencode({"periode": period.code}) + "#populasi",
        })
    return render(request, "surveys/paper.html", context, status=status)


@never_cache
@login_required
def entry(request, slug):
    """GET: choose layanan and period, then the grid. POST: record one paper response."""
    unit = get_unit(request.user, slug, manage=True)
    if request.method not in ("GET", "HEAD", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    source = request.POST if request.method == "POST" else request.GET
    layanan = _layanan(unit, source.get("layanan"))
    period = _period(source.get("periode"), unit)
    version = questionnaire_for(unit)
    if request.method != "POST":
        return _render_entry(request, unit, layanan, period, EntryGrid(version),
                             uuid.uuid4().hex)
    if layanan is None:
        raise Http404(_("Pilih layanan."))

    token = request.POST.get(TOKEN_FIELD, "")
    token = token if _TOKEN.match(token) else ""
    key = f"skm:paper-sent:{unit.pk}:{request.user.pk}:{token}"
    sent = _saved(unit, request.user, str(cache.get(key) or "")) if token else None
    if sent is not None:
        # the same form sent twice (Enter pressed twice): recorded once already
        return _see_other(entry_url(unit, layanan, period, tersimpan=sent.pk))
    submission, errors = read_entry(request.POST, version)
    if not errors:
        try:
            response = record_response(unit, layanan, submission, source=PAPER,
                                       entered_by=request.user, period=period,
                                       require_all=False)
        except ResponseInvalid as invalid:
            errors = invalid.errors
    if errors:
        grid = EntryGrid(version, request.POST, errors)
        return _render_entry(request, unit, layanan, period, grid, token or uuid.uuid4().hex,
                             status=422)
    if token:
        cache.set(key, response.pk, TOKEN_SECONDS)
    return _see_other(entry_url(unit, layanan, period, tersimpan=response.pk))


# ---- corrections -----------------------------------------------------------------------------


def _refused(request, unit, message):
    return render(request, "surveys/paper_refused.html",
                  {"unit": unit, "message": message,
                   "back_url": reverse("paper-entry", kwargs={"slug": unit.slug})},
                  status=403)


def _changes(old: Response, new: Response, codes: dict[str, str]) -> dict[str, list]:
    changes = {}
    for slot, code in codes.items():
        if getattr(old, slot) != getattr(new, slot):
            changes[code] = [getattr(old, slot), getattr(new, slot)]
    for name, column in PROFILE:
        if getattr(old, column) != getattr(new, column):
            changes[name] = [getattr(old, column), getattr(new, column)]
    return changes


@never_cache
@login_required
def correct(request, slug, pk):
    """Correct one's own paper entry of today: one transaction moves the counts and keeps the
    old and new values."""
    unit = get_unit(request.user, slug, manage=True)
    if request.method not in ("GET", "HEAD", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    response = get_object_or_404(
        Response.objects.within([unit]).select_related("layanan", "period", "questionnaire"),
        pk=pk)
    reason = refusal(response, request.user)
    if reason:
        return _refused(request, unit, reason)
    version = response.questionnaire
    if request.method != "POST":
        return _render_correct(request, unit, response, EntryGrid(version, values_of(response)))
    submission, errors = read_entry(request.POST, version)
    if errors:
        return _render_correct(request, unit, response,
                               EntryGrid(version, request.POST, errors), status=422)
    slots, profile = validate(submission, version, require_all=False)
    codes = version.slot_codes()
    with transaction.atomic():
        current = Response.objects.within([unit]).select_for_update().get(pk=response.pk)
        reason = refusal(current, request.user)  # midnight may have passed meanwhile
        if reason:
            transaction.set_rollback(True)
            return _refused(request, unit, reason)
        old = copy.copy(current)
        for column, value in {**slots, **profile}.items():
            setattr(current, column, value)
        changes = _changes(old, current, codes)
        if changes:
            current.save(update_fields=[*slots, *profile])
            summary.apply([old], sign=-1)
            summary.apply([current])
            ResponseCorrection.objects.create(response=current, user=request.user,
                                              at=timezone.now(), changes=changes)
    return _see_other(entry_url(unit, response.layanan, response.period,
                                dikoreksi=response.pk if changes else None,
                                tanpa_perubahan=None if changes else "1"))


def _render_correct(request, unit, response, grid, status=200):
    return render(request, "surveys/paper_correct.html", {
        "unit": unit,
        "response": response,
        "grid": grid,
        "action": reverse("paper-correct", kwargs={"slug": unit.slug, "pk": response.pk}),
        "back_url": entry_url(unit, response.layanan, response.period),
        "time": timezone.localtime(response.submitted_at),
    }, status=status)


# ---- correction history ----------------------------------------------------------------------


def _shown(value) -> str:
    return _("kosong") if value in (None, "") else str(value)


def _history_rows(corrections) -> list[dict]:
    return [
        {"correction": c, "at": timezone.localtime(c.at), "date": tanggal_id(
            timezone.localtime(c.at).date()),
         "user": c.user.get_username() if c.user else _("(pengguna dihapus)"),
         "changes": [(field, _shown(old), _shown(new)) for field, (old, new) in c.changes.items()]}
        for c in corrections
    ]


@never_cache
@login_required
def history(request, slug, pk=None):
    """Corrections of one response, or of every response of the unit on a day (``?tanggal=``,
    default today): readable by everyone who may enter paper responses at the unit."""
    unit = get_unit(request.user, slug, manage=True)
    corrections = ResponseCorrection.objects.filter(response__unit=unit).select_related(
        "user", "response__layanan", "response__period")
    response, day = None, None
    if pk is not None:
        response = get_object_or_404(Response.objects.within([unit]), pk=pk)
        corrections = corrections.filter(response=response)
    else:
        raw = request.GET.get("tanggal") or ""
        try:
            day = date.fromisoformat(raw) if raw else timezone.localdate()
        except ValueError:
            raise Http404(_("Tanggal ditulis seperti 2024-09-17.")) from None
        start, end = _day_bounds(day)
        corrections = corrections.filter(at__gte=start, at__lt=end)
    return render(request, "surveys/paper_history.html", {
        "unit": unit,
        "response": response,
        "day": day,
        "day_text": tanggal_id(day) if day else "",
        "day_iso": day.isoformat() if day else "",
        "rows": _history_rows(corrections),
        "back_url": reverse("paper-entry", kwargs={"slug": unit.slug}),
    })
