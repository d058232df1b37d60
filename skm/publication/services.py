"""What is public, and the figures of the public page.

Only periods a unit has published (a live :class:`Publication`) are ever read here; every
number still comes from :mod:`skm.results.services` and so from :mod:`skm.engine`, computed at
request time from the summary table (a late paper response entered after publishing shows up,
as it would in the staff pages).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from skm.engine import CombinedResult
from skm.results.services import subtree_results, trend
from skm.units.models import Period, Unit

from .models import Publication

#: how many published periods of the same kind the trend shows (p.14: up to two years back,
#: i.e. eight triwulan)
TREND_POINTS = 8


class PublishError(ValueError):
    """A publication request that cannot be carried out, with a message for the operator."""


def live(units):
    """Live publications of ``units`` (a queryset or list of units), with unit and period."""
    return (Publication.objects.within(units).filter(withdrawn_at__isnull=True)
            .select_related("unit", "period"))


def latest_first(periods):
    return sorted(periods, key=lambda p: (p.end, p.start), reverse=True)


def published_periods(unit: Unit) -> list[Period]:
    """The unit's published periods, latest first (a semester before the year that ends with
    it)."""
    return latest_first(pub.period for pub in live([unit]))


def live_publication(unit: Unit, period: Period) -> Publication | None:
    return live([unit]).filter(period=period).first()


def publish(unit: Unit, period: Period, user, respondents: int) -> Publication:
    """Make ``period`` of ``unit`` public. Refused when there is nothing to publish; publishing
    what is already public changes nothing."""
    if respondents <= 0:
        raise PublishError(
            f"Periode {period.label} belum memiliki responden; tidak ada hasil yang dapat "
            "dipublikasikan."
        )
    with transaction.atomic():
        found = live_publication(unit, period)
        if found is not None:
            return found
        return Publication.objects.create(
            unit=unit, period=period, published_at=timezone.now(), published_by=user
        )


def withdraw(unit: Unit, period: Period, user) -> Publication:
    """Take ``period`` of ``unit`` off the public page; the row stays as history."""
    with transaction.atomic():
        found = (Publication.objects.within([unit]).select_for_update()
                 .filter(period=period, withdrawn_at__isnull=True).first())
        if found is None:
            raise PublishError(f"Periode {period.label} tidak sedang dipublikasikan.")
        found.withdrawn_at = timezone.now()
        found.withdrawn_by = user
        found.save(update_fields=["withdrawn_at", "withdrawn_by"])
        return found


def overall_of(unit: Unit, period: Period) -> CombinedResult | None:
    """The unit's figure for one period, as the staff trend computes it (engine, default
    method). Call it only for a published period."""
    return trend(unit, period, back=0)[-1][1]


def published_trend(unit: Unit, shown: Period, published: list[Period],
                    shown_result: CombinedResult) -> list[tuple[Period, CombinedResult | None]]:
    """``shown`` and the earlier PUBLISHED periods of its kind, oldest first, at most
    ``TREND_POINTS``. Unpublished periods are never computed."""
    earlier = [p for p in published
               if p.kind == shown.kind and p.start < shown.start][: TREND_POINTS - 1]
    points = [(p, overall_of(unit, p)) for p in reversed(earlier)]
    points.append((shown, shown_result))
    return points


@dataclass
class RegionRow:
    unit: Unit
    depth: int
    period: Period
    result: CombinedResult | None


def region_rows(root: Unit, subtree: list[Unit], publications) -> list[RegionRow]:
    """Every unit below ``root`` with a live publication: its latest published period and its
    figure there, in tree order (parents first, siblings by name)."""
    latest: dict[int, Period] = {}
    for pub in publications:
        if pub.unit_id == root.pk:
            continue
        current = latest.get(pub.unit_id)
        if current is None or (pub.period.end, pub.period.start) > (current.end, current.start):
            latest[pub.unit_id] = pub.period
    names = {u.pk: u.name.casefold() for u in subtree}

    def key(unit):
        ids = [int(i) for i in unit.path.strip("/").split("/") if i]
        return tuple((names.get(i, ""), i) for i in ids)

    root_depth = root.path.count("/")
    rows = []
    for unit in sorted((u for u in subtree if u.pk in latest), key=key):
        period = latest[unit.pk]
        rows.append(RegionRow(unit, unit.path.count("/") - root_depth - 1, period,
                              overall_of(unit, period)))
    return rows


def region_figure(root: Unit, publications) -> tuple[Period, CombinedResult] | None:
    """The region's own figure, or None.

    Rule: take the latest period that any unit of the region (``root`` included) has
    published. The region figure for it is shown only if EVERY unit of the region that has
    respondents of its own in that period has published that period; it is then the staff
    wilayah figure (all layanan of all those units, recomputed from the counts). Otherwise
    nothing is shown, so no unpublished answer ever enters a public number.
    """
    periods = {pub.period.pk: pub.period for pub in publications}
    if not periods:
        return None
    period = latest_first(periods.values())[0]
    published_units = {pub.unit_id for pub in publications if pub.period.pk == period.pk}
    rows = subtree_results(root, period)
    by_id = {row.unit.pk: row for row in rows}
    for row in rows:
        children = [r for r in rows if r.unit.parent_id == row.unit.pk]
        own = row.respondents - sum(c.respondents for c in children)
        if own > 0 and row.unit.pk not in published_units:
            return None
    root_row = by_id.get(root.pk)
    if root_row is None or root_row.result is None:
        return None
    return period, root_row.result
