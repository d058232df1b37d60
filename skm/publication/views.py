"""The public page of a unit or region (``/p/<slug>/``) and the staff's publish / withdraw
actions.

Public views need no login and show only what a unit has published (:mod:`.services`): an
unpublished period answers 404, a unit with nothing published a friendly page that says only
that. They set no cookie and may be cached by anyone for five minutes. The staff actions are
POST only, CSRF protected, and find the unit through ``get_unit(manage=True)``.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from skm.core.access import get_unit
from skm.engine.profile import FIELD_LABELS, NOT_GIVEN, UNRECOGNISED, ordered_categories
from skm.followup.services import (
    completion,
    items_of,
    percent_text,
    schedule_text,
    tanggal_id,
)
from skm.present import COMBINE_DESCRIPTIONS, WEIGHT_DESCRIPTIONS
from skm.reports import registry
from skm.results.services import questionnaire_of, unit_results
from skm.units.models import Period, Unit
from skm.units.periods import parse_period

from . import services

#: seconds a browser or a proxy may keep a public page
PUBLIC_MAX_AGE = 300
#: the profile fields of the publication format (Lampiran IV): L/P split and education
PUBLIC_PROFILE = ("jenis_kelamin", "pendidikan")
#: the sparkline's drawing box (SVG user units) and the konversi range it spans
SPARK_WIDTH, SPARK_HEIGHT, SPARK_PAD = 240, 60, 6


def _public(response):
    patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE)
    return response


def _period_or_404(code: str) -> Period:
    """An existing period for a valid code; a public URL never creates a period."""
    try:
        spec = parse_period(code)
    except ValueError:
        raise Http404(_("Periode tidak dikenal.")) from None
    return get_object_or_404(Period, code=spec.code)


def _method_text(method) -> str:
    return f"{WEIGHT_DESCRIPTIONS[method.weights]}; {COMBINE_DESCRIPTIONS[method.combine]}"


def _sparkline(points) -> dict | None:
    """SVG polyline coordinates for the trend (drawing only; the table holds the numbers)."""
    values = [(p, r.overall.konversi) for p, r in points
              if r and r.overall.konversi is not None]
    if len(values) < 2:
        return None
    low = min(float(v) for _p, v in values)
    high = max(float(v) for _p, v in values)
    span = (high - low) or 1.0
    step = (SPARK_WIDTH - 2 * SPARK_PAD) / (len(values) - 1)
    coords = []
    for i, (_period, value) in enumerate(values):
        x = SPARK_PAD + i * step
        y = SPARK_HEIGHT - SPARK_PAD - (float(value) - low) / span * (SPARK_HEIGHT - 2 * SPARK_PAD)
        coords.append((round(x, 1), round(y, 1)))
    return {
        "width": SPARK_WIDTH, "height": SPARK_HEIGHT,
        "points": " ".join(f"{x},{y}" for x, y in coords),
        "last": coords[-1],
    }


def _profile(profile, respondents) -> list[dict]:
    sections = []
    for name in PUBLIC_PROFILE:
        counts = profile.get(name, {})
        rows = [{"label": c, "count": counts.get(c, 0)}
                for c in ordered_categories(name)
                if counts.get(c) or c not in (UNRECOGNISED, NOT_GIVEN)]
        sections.append({"label": FIELD_LABELS[name], "rows": rows, "total": respondents})
    return sections


def _rtl(unit: Unit, period: Period) -> dict:
    names = {u.code: u.name for u in questionnaire_of(unit).unsur}
    rows = []
    for number, item in enumerate(items_of(unit, period), start=1):
        realisasi = item.realisasi_or_none
        rows.append({
            "number": number,
            "unsur": [names.get(c, c) for c in item.unsur_codes],
            "program": item.program,
            "schedule": schedule_text(item),
            "section": item.section,
            "done": item.done,
            "tanggal": tanggal_id(realisasi.tanggal) if item.done else "",
            "deskripsi": realisasi.deskripsi if item.done else "",
        })
    done, planned, percent = completion(unit, period)
    return {"rows": rows, "done": done, "planned": planned, "percent": percent_text(percent)}


def _unit_context(unit: Unit, period: Period, published: list[Period]) -> dict:
    """Everything the page shows of one published period."""
    data = unit_results(unit, period)
    points = services.published_trend(unit, period, published, data.result)
    return {
        "period": period,
        "data": data,
        "overall": data.result.overall,
        "layanan": data.result.layanan,
        "method_text": _method_text(data.result.method),
        "pooled": data.result.method.combine == "pooled",
        "profile": _profile(data.profile, data.respondents),
        "trend": [{"period": p, "result": r, "current": p.pk == period.pk} for p, r in points],
        "sparkline": _sparkline(points),
        "rtl": _rtl(unit, period),
        "other_periods": [p for p in published if p.pk != period.pk],
        "poster": "poster" in registry.REPORTS,
    }


def _ancestors(unit: Unit) -> list[Unit]:
    return list(unit.ancestors())


@require_safe
def public_unit(request, slug):
    """The latest published period of a unit and, for a region, the units below it that have
    published something."""
    unit = get_object_or_404(Unit, slug=slug)
    subtree = list(unit.subtree())
    publications = list(services.live(subtree))
    own = services.latest_first(p.period for p in publications if p.unit_id == unit.pk)
    context = {"unit": unit, "ancestors": _ancestors(unit), "latest_page": True}
    if own:
        context.update(_unit_context(unit, own[0], own))
    below = [p for p in publications if p.unit_id != unit.pk]
    if below:
        context["region_rows"] = services.region_rows(unit, subtree, below)
        figure = services.region_figure(unit, publications)
        if figure:
            context["region_period"], context["region_result"] = figure
    context["is_region"] = len(subtree) > 1
    if not own and not below:
        return _public(render(request, "publication/not_published.html", context))
    return _public(render(request, "publication/unit.html", context))


def _published_or_404(unit: Unit, code: str) -> tuple[Period, list[Period]]:
    shown = _period_or_404(code)
    published = services.published_periods(unit)
    if shown not in published:
        raise Http404(_("Periode ini belum dipublikasikan."))
    return shown, published


@require_safe
def public_period(request, slug, period):
    unit = get_object_or_404(Unit, slug=slug)
    shown, published = _published_or_404(unit, period)
    if shown.code != period:  # "2024-s2" -> "2024-S2"
        return redirect("public-period", slug=unit.slug, period=shown.code)
    context = {"unit": unit, "ancestors": _ancestors(unit), "latest_page": False,
               **_unit_context(unit, shown, published)}
    return _public(render(request, "publication/unit.html", context))


@require_safe
def public_poster(request, slug, period):
    """The Lampiran IV poster of a published period, when a poster builder is registered."""
    unit = get_object_or_404(Unit, slug=slug)
    shown, _published = _published_or_404(unit, period)
    if "poster" not in registry.REPORTS or "pdf" not in registry.REPORTS["poster"].builders:
        raise Http404(_("Poster belum tersedia."))
    content = registry.build("poster", "pdf", unit, shown)
    response = HttpResponse(content, content_type=registry.CONTENT_TYPES["pdf"])
    response["Content-Disposition"] = (
        f'inline; filename="{registry.filename("poster", unit, shown, "pdf")}"'
    )
    return _public(response)


# ---- staff actions --------------------------------------------------------------------------

def _results_url(unit: Unit, period: Period) -> str:
    return reverse("results", kwargs={"slug": unit.slug, "period": period.code})


def _staff_period(code: str) -> Period:
    try:
        spec = parse_period(code)
    except ValueError:
        raise Http404(_("Periode tidak dikenal.")) from None
    return Period.get_or_create_code(spec.code)


@login_required
@require_POST
def publish(request, slug, period):
    unit = get_unit(request.user, slug, manage=True)
    shown = _staff_period(period)
    try:
        services.publish(unit, shown, request.user, unit_results(unit, shown).respondents)
    except services.PublishError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Hasil %(period)s dipublikasikan di halaman publik.")
                         % {"period": shown.label})
    return redirect(_results_url(unit, shown))


@login_required
@require_POST
def withdraw(request, slug, period):
    unit = get_unit(request.user, slug, manage=True)
    shown = _staff_period(period)
    try:
        services.withdraw(unit, shown, request.user)
    except services.PublishError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Publikasi %(period)s ditarik dari halaman publik.")
                         % {"period": shown.label})
    return redirect(_results_url(unit, shown))
