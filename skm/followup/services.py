"""Follow-up figures: the proposed priority unsur, completion, overdue items, and completion over
a supervisor's subtree. Every number exact (Fraction); rounding only where it is shown."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from django.utils import timezone

from skm.engine import Priority, completion_percent, priorities, round_half_up
from skm.formatting import decimal_id
from skm.results.services import unit_results
from skm.units.models import Period, Unit
from skm.units.periods import ROMAN, parse_period

from .models import Realisasi, RtlItem

MONTHS_ID = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
             "September", "Oktober", "November", "Desember")


def proposed_priorities(unit: Unit, period: Period, lowest: int | None = None,
                        below=None) -> list[Priority]:
    """The lowest unsur of the unit's results on unrounded values, ties kept together:
    the ``lowest`` k, or all strictly ``below`` a value; the single lowest by default."""
    nrr = unit_results(unit, period).result.overall.nrr_map()
    return priorities(nrr, lowest=lowest, below=below)


def items_of(unit: Unit, period: Period):
    return (RtlItem.objects.filter(unit=unit, period=period)
            .select_related("section", "realisasi"))


def completion(unit: Unit, period: Period) -> tuple[int, int, Fraction | None]:
    """(items realised, items planned, exact percentage or None when nothing is planned)."""
    items = RtlItem.objects.filter(unit=unit, period=period)
    planned = items.count()
    done = items.filter(realisasi__status=Realisasi.Status.SUDAH).count()
    return done, planned, completion_percent(done, planned)


def is_overdue(item: RtlItem, today: date | None = None) -> bool:
    """Not realised, and the last day of its last planned triwulan is before ``today``."""
    today = today or timezone.localdate()
    end = item.last_quarter_end()
    return not item.done and end is not None and end < today


@dataclass
class UnitCompletion:
    unit: Unit
    done: int
    planned: int
    overdue: int

    @property
    def percent(self) -> Fraction | None:
        return completion_percent(self.done, self.planned)


def subtree_completion(root: Unit, period: Period, today: date | None = None,
                       units=None) -> list[UnitCompletion]:
    """Per unit of ``root``'s subtree (or of ``units``, e.g. the readable part of it):
    (done, planned, overdue), in tree order."""
    today = today or timezone.localdate()
    units = list(units if units is not None else root.subtree())
    rows = {u.pk: UnitCompletion(u, 0, 0, 0) for u in units}
    for item in (RtlItem.objects.filter(unit__in=list(rows), period=period)
                 .select_related("realisasi")):
        row = rows[item.unit_id]
        row.planned += 1
        row.done += item.done
        row.overdue += is_overdue(item, today)
    return [rows[u.pk] for u in units]


# ---- how the figures are written ------------------------------------------------------------

def percent_text(value: Fraction | None) -> str:
    """Half-up to two decimals, decimal comma, no ",00" for whole numbers: "100%", "33,33%"."""
    if value is None:
        return "-"
    rounded = round_half_up(value, 2)
    places = 0 if rounded == rounded.to_integral_value() else 2
    return decimal_id(rounded, places) + "%"


def tanggal_id(day: date | None) -> str:
    """As the reports write a date: "17 September 2024"."""
    if day is None:
        return ""
    return f"{day.day} {MONTHS_ID[day.month - 1]} {day.year}"


def quarter_label(code: str) -> str:
    """"2024-TW3" -> "TW III 2024"."""
    spec = parse_period(code)
    return f"TW {ROMAN[spec.number]} {spec.year}"


def quarter_choices(period: Period) -> list[tuple[str, str]]:
    """The eight triwulan of the period's year and the next one."""
    return [(f"{year}-TW{n}", quarter_label(f"{year}-TW{n}"))
            for year in (period.year, period.year + 1) for n in range(1, 5)]


def quarter_key(code: str) -> tuple[int, int]:
    spec = parse_period(code)
    return spec.year, spec.number
