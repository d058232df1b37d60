"""The staff side's results pages: a unit's Tabel 1 and Tabel II, sample check, priorities,
answer distribution, respondent profile and trend; the subtree (wilayah) overview; the JSON the
charts read.

Plain function views. Every unit goes through :func:`skm.core.access.get_unit` (a unit the user
may not read is a 404, exactly like one that does not exist); every number comes from
:mod:`skm.results.services` and :mod:`skm.engine`. Views only arrange those numbers into rows;
templates format them with the ``skm_format`` filters.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from skm.core.access import can_manage, get_unit, readable_units
from skm.engine import COMBINE_METHODS, grade_table, ranking
from skm.engine.profile import FIELD_LABELS, NOT_GIVEN, UNRECOGNISED, ordered_categories
from skm.present import COMBINE_DESCRIPTIONS, WEIGHT_DESCRIPTIONS, json_number
from skm.reports.registry import REPORTS
from skm.results.models import TallyCell
from skm.results.services import (
    counted,
    subtree_results,
    subtree_samples,
    trend,
    unit_results,
)
from skm.surveys.recording import current_period
from skm.surveys.suspicion import flag_summary
from skm.units.models import Period, Unit
from skm.units.periods import parse_period

DEFAULT_COMBINE = "mean_of_services"
#: the weight schemes a reader may switch to (``custom`` only comes from the questionnaire)
WEIGHT_CHOICES = ("equal", "0.111", "0.11")

COMBINE_LABELS = {
    "mean_of_services": gettext_lazy("Rata-rata IKM layanan"),
    "pooled": gettext_lazy("Gabungan semua jawaban"),
}
WEIGHT_LABELS = {
    None: gettext_lazy("Bawaan kuesioner"),
    "equal": gettext_lazy("Sama (1/n)"),
    "0.111": gettext_lazy("Lama 0,111"),
    "0.11": gettext_lazy("Lama 0,11"),
}
#: ``?sort=`` of the wilayah page: tree order, or a column ascending / descending ("-")
SORT_KEYS = ("tree", "name", "-name", "ikm", "-ikm", "respondents", "-respondents")
#: the deepest indentation the stylesheet knows (results.css .depth-0 .. .depth-6)
MAX_DEPTH_CLASS = 6


# --- request options -------------------------------------------------------------------------


def _options(request) -> tuple[str, str | None]:
    """``?combine=`` and ``?weights=``; an unknown value falls back to the default."""
    combine = request.GET.get("combine", DEFAULT_COMBINE)
    if combine not in COMBINE_METHODS:
        combine = DEFAULT_COMBINE
    weights = request.GET.get("weights") or None
    if weights not in WEIGHT_CHOICES:
        weights = None
    return combine, weights


def _query(combine: str = DEFAULT_COMBINE, weights: str | None = None, **extra) -> str:
    """A query string holding only what differs from the defaults ("" when nothing does)."""
    params = {}
    if combine != DEFAULT_COMBINE:
        params["combine"] = combine
    if weights:
        params["weights"] = weights
    params.update({k: v for k, v in extra.items() if v})
    return f"?{urlencode(params)}" if params else ""


def _period_or_404(code: str) -> Period:
    """The Period of a valid code (created on first use); 404 for anything else."""
    try:
        spec = parse_period(code)
    except ValueError:
        raise Http404(_("Periode tidak dikenal.")) from None
    return Period.get_or_create_code(spec.code)


def _tree_order(units: list[Unit]) -> list[tuple[Unit, int]]:
    """``units`` as a tree (parents before children, siblings by name), with their depth
    relative to the shallowest of them."""
    names = {u.pk: u.name.casefold() for u in units}

    def key(unit):
        ids = [int(i) for i in unit.path.strip("/").split("/") if i]
        return tuple((names.get(i, ""), i) for i in ids)

    if not units:
        return []
    top = min(u.path.count("/") for u in units)
    return [(u, u.path.count("/") - top) for u in sorted(units, key=key)]


def _depth_class(depth: int) -> str:
    return f"depth-{min(depth, MAX_DEPTH_CLASS)}"


# --- home and unit ---------------------------------------------------------------------------


@login_required
def home(request):
    """The units the user may read; straight to the unit when there is only one."""
    units = list(readable_units(request.user))
    if len(units) == 1:
        return redirect("unit", slug=units[0].slug)
    rows = [
        {"unit": unit, "depth_class": _depth_class(depth)} for unit, depth in _tree_order(units)
    ]
    return render(request, "results/home.html", {"rows": rows})


def _latest_period_code(unit: Unit) -> str:
    """The latest period with responses for ``unit``; its current period when none."""
    code = (
        TallyCell.objects.filter(unit=unit, dimension="n", count__gt=0)
        .order_by("-period__start", "period__end")
        .values_list("period__code", flat=True)
        .first()
    )
    return code or current_period(unit).code


@login_required
def unit(request, slug):
    """Redirect to the unit's results: ``?periode=`` (the period picker) or the latest one."""
    found = get_unit(request.user, slug)
    combine, weights = _options(request)
    code = request.GET.get("periode")
    if code:
        code = _period_or_404(code).code
    else:
        code = _latest_period_code(found)
    url = reverse("results", kwargs={"slug": found.slug, "period": code})
    return redirect(url + _query(combine, weights))


# --- the results page ------------------------------------------------------------------------


def _period_choices(unit: Unit, shown: Period) -> list[Period]:
    """Periods worth offering in the picker: those with responses for the unit, the years that
    hold them, the current period and the one on screen; latest first."""
    periods = {p.code: p for p in Period.objects.filter(pk__in=counted(unit, "period_id"))}
    for year in {p.year for p in periods.values()}:
        year_period = Period.get_or_create_code(str(year))
        periods[year_period.code] = year_period
    for extra in (current_period(unit), shown):
        periods[extra.code] = extra
    return sorted(periods.values(), key=lambda p: (p.start, -p.end.toordinal()), reverse=True)


def _profile_sections(profile) -> list[dict]:
    """Each profile field with every listed category (zeros included) and, when present, the
    catch-alls and anything else the data holds, so each section adds up to the respondents."""
    sections = []
    for name, counts in profile.items():
        main = [c for c in ordered_categories(name) if c not in (UNRECOGNISED, NOT_GIVEN)]
        others = [c for c in counts if c not in ordered_categories(name)]
        tail = [c for c in (UNRECOGNISED, NOT_GIVEN) if counts.get(c)]
        rows = [{"label": c, "count": counts.get(c, 0)} for c in main + sorted(others) + tail]
        sections.append({"field": name, "label": FIELD_LABELS[name], "rows": rows})
    return sections


def _switch_links(path: str, combine: str, weights: str | None) -> dict:
    return {
        "combine": [
            {"label": COMBINE_LABELS[c], "url": path + _query(c, weights), "current": c == combine}
            for c in COMBINE_METHODS
        ],
        "weights": [
            {"label": WEIGHT_LABELS[w], "url": path + _query(combine, w), "current": w == weights}
            for w in (None, *WEIGHT_CHOICES)
        ],
    }


def _method_text(method) -> str:
    return f"{WEIGHT_DESCRIPTIONS[method.weights]}; {COMBINE_DESCRIPTIONS[method.combine]}"


REPORT_ORDER = ("tindak-lanjut", "skm", "rekap", "poster")


def _report_links(unit, period) -> list[dict]:
    """Every registered report with a download link per format (skm.reports)."""
    return [
        {"label": kind.label,
         "links": [(fmt.upper(), reverse("report-download", kwargs={
             "slug": unit.slug, "period": period.code, "kind": kind.name, "fmt": fmt}))
             for fmt in kind.formats]}
        for kind in sorted(REPORTS.values(), key=lambda k: REPORT_ORDER.index(k.name)
                           if k.name in REPORT_ORDER else len(REPORT_ORDER))
    ]


@login_required
def results(request, slug, period):
    found = get_unit(request.user, slug)
    shown = _period_or_404(period)
    combine, weights = _options(request)
    if shown.code != period:  # "2024-s2" -> "2024-S2"
        url = reverse("results", kwargs={"slug": found.slug, "period": shown.code})
        return redirect(url + _query(combine, weights))

    data = unit_results(found, shown, combine, weights)
    result = data.result
    overall = result.overall
    codes = data.questionnaire.codes
    pooled = combine == "pooled"
    lowest_codes = {code for p in data.lowest for code in p.codes}
    distribution = data.distribution()
    points = trend(found, shown, combine, weights=weights)
    samples = [
        {"check": s, "shortfall": (s.minimum - s.respondents) if s.short else 0}
        for s in data.samples
    ]

    context = {
        "unit": found,
        "flags": flag_summary(found, shown),
        "review_url": reverse("review", kwargs={"slug": found.slug, "period": shown.code})
        if can_manage(request.user, found) else "",
        "reports": _report_links(found, shown),
        "ancestors": list(readable_units(request.user).filter(pk__in=found.ancestors())),
        "period": shown,
        "data": data,
        "overall": overall,
        "unsur": data.questionnaire.unsur,
        "codes": codes,
        "pooled": pooled,
        "combine": combine,
        "weights": weights,
        "method": result.method,
        "method_text": _method_text(result.method),
        "overall_label": _("IKM gabungan per Unsur") if pooled else _("Rata-rata IKM per Unsur"),
        "unit_label": _("IKM Unit") if pooled else _("Rata-rata IKM Layanan"),
        "tabel1": [
            {"name": g.name, "respondents": g.respondents, "ikm": g.ikm,
             "cells": [g.nrr(c) for c in codes]}
            for g in result.layanan
        ],
        "overall_cells": [overall.nrr(c) for c in codes],
        "mutu_cells": [overall.unsur[c].grade for c in codes],
        "grade_table": grade_table(),
        "samples": samples,
        "short_samples": [s for s in samples if s["check"].short],
        "samples_checked": any(s.minimum is not None for s in data.samples),
        "no_population": [s.layanan.name for s in data.samples if s.population is None],
        "lowest": [
            {"priority": p, "unsur": [data.questionnaire.get(c) for c in p.codes]}
            for p in data.lowest
        ],
        "empty_layanan": [s.layanan.name for s in data.samples if not s.respondents],
        "ranking": [
            {"priority": p, "unsur": [data.questionnaire.get(c) for c in p.codes],
             "is_lowest": bool(set(p.codes) & lowest_codes)}
            for p in ranking(overall.nrr_map())
        ],
        "distribution": [
            {"unsur": u, "counts": distribution[u.code], "answers": sum(distribution[u.code])}
            for u in data.questionnaire.unsur
        ],
        "profile": _profile_sections(data.profile),
        "trend": [
            {"period": p, "result": r, "current": p.pk == shown.pk,
             "respondents": r.overall.respondents if r else 0}
            for p, r in points
        ],
        "switches": _switch_links(request.path, combine, weights),
        "period_choices": _period_choices(found, shown),
        "has_children": found.children.exists(),
        "can_manage": can_manage(request.user, found),
        "query": _query(combine, weights),
        "data_url": reverse("results-data", kwargs={"slug": found.slug, "period": shown.code})
        + _query(combine, weights),
    }
    return render(request, "results/results.html", context)


@login_required
def results_data(request, slug, period):
    """The numbers the charts draw, as JSON (the page shows the same ones in tables)."""
    found = get_unit(request.user, slug)
    shown = _period_or_404(period)
    combine, weights = _options(request)
    data = unit_results(found, shown, combine, weights)
    overall = data.result.overall
    return JsonResponse({
        "unit": found.slug,
        "period": shown.code,
        "method": data.result.method.as_dict(),
        "respondents": data.respondents,
        "unsur": [{"code": u.code, "name": u.name} for u in data.questionnaire.unsur],
        "distribution": {code: list(counts) for code, counts in data.distribution().items()},
        "layanan": [
            {"name": g.name, "respondents": g.respondents, "ikm": json_number(g.ikm),
             "konversi": json_number(g.konversi), "mutu": g.grade.mutu if g.grade else None}
            for g in data.result.layanan
        ],
        "overall": {
            "ikm": json_number(overall.ikm), "konversi": json_number(overall.konversi),
            "mutu": overall.grade.mutu if overall.grade else None,
        },
        "trend": [
            {"period": p.code, "label": p.label,
             "respondents": r.overall.respondents if r else 0,
             "konversi": json_number(r.overall.konversi) if r else None,
             "mutu": r.overall.grade.mutu if r and r.overall.grade else None}
            for p, r in trend(found, shown, combine, weights=weights)
        ],
    })


# --- the wilayah (subtree) page --------------------------------------------------------------


def _sorted_rows(rows: list[dict], sort: str) -> list[dict]:
    if sort == "tree":
        return rows
    descending = sort.startswith("-")
    column = sort.lstrip("-")
    if column == "name":
        return sorted(rows, key=lambda r: r["unit"].name.casefold(), reverse=descending)
    if column == "respondents":
        return sorted(rows, key=lambda r: r["respondents"], reverse=descending)
    # IKM on the exact konversi; units without a figure last either way
    with_value = [r for r in rows if r["konversi"] is not None]
    without = [r for r in rows if r["konversi"] is None]
    return sorted(with_value, key=lambda r: r["konversi"], reverse=descending) + without


def _sort_headers(path: str, combine: str, sort: str) -> dict:
    """Per column: the link that sorts by it (toggling when already sorted) and its aria-sort."""
    headers = {}
    for column in ("name", "ikm", "respondents"):
        if sort == column:
            target, state = f"-{column}", "ascending"
        elif sort == f"-{column}":
            target, state = column, "descending"
        else:
            target, state = column, None
        headers[column] = {"url": path + _query(combine, sort=target), "aria_sort": state}
    headers["tree"] = {"url": path + _query(combine), "current": sort == "tree"}
    return headers


@login_required
def subtree(request, slug, period):
    """Every unit the user may read in ``slug``'s subtree, with its figure recomputed from
    tallies by the service (a region's figure is never an average of rounded figures)."""
    root = get_unit(request.user, slug)
    shown = _period_or_404(period)
    combine, _weights = _options(request)
    if shown.code != period:
        url = reverse("subtree", kwargs={"slug": root.slug, "period": shown.code})
        return redirect(url + _query(combine))
    sort = request.GET.get("sort", "tree")
    if sort not in SORT_KEYS:
        sort = "tree"

    readable = set(
        readable_units(request.user).filter(path__startswith=root.path).values_list("pk", flat=True)
    )
    found = {row.unit.pk: row for row in subtree_results(root, shown, combine)}
    visible = [found[pk] for pk in found if pk in readable]
    samples = subtree_samples(visible, shown)
    rows = []
    kinds = dict(Unit.Kind.choices)  # translated once, not once per row
    for unit_, depth in _tree_order([row.unit for row in visible]):
        row = found[unit_.pk]
        overall = row.result.overall if row.result else None
        rows.append({
            "unit": unit_,
            "kind": kinds.get(unit_.kind, unit_.kind),
            "depth": depth,
            "depth_class": _depth_class(depth),
            "respondents": row.respondents,
            "ikm": overall.ikm if overall else None,
            "konversi": overall.konversi if overall else None,
            "grade": overall.grade if overall else None,
            "sample": samples[unit_.pk],
            "url": reverse("results", kwargs={"slug": unit_.slug, "period": shown.code})
            + _query(combine),
        })
    context = {
        "unit": root,
        "period": shown,
        "rows": _sorted_rows(rows, sort),
        "sort": sort,
        "headers": _sort_headers(request.path, combine, sort),
        "combine": combine,
        "combine_text": COMBINE_DESCRIPTIONS[combine],
        "switches": [
            {"label": COMBINE_LABELS[c],
             "url": request.path + _query(c, sort=None if sort == "tree" else sort),
             "current": c == combine}
            for c in COMBINE_METHODS
        ],
        "results_url": reverse("results", kwargs={"slug": root.slug, "period": shown.code})
        + _query(combine),
    }
    return render(request, "results/subtree.html", context)
