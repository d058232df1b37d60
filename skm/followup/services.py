"""Follow-up figures: the proposed priority unsur, completion, overdue items, and completion over
a supervisor's subtree. Every number exact (Fraction); rounding only where it is shown."""

from __future__ import annotations

import calendar
import re
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
    """Not realised, and the last day of its last planned triwulan or month is before
    ``today``."""
    today = today or timezone.localdate()
    end = item.last_planned_end()
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


# ---- months, and the columns of Tabel 2 ------------------------------------------------------

MONTHS_SHORT_ID = ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov",
                   "Des")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def parse_month(code: str) -> tuple[int, int]:
    """"2024-09" -> (2024, 9). Raises ValueError with a message."""
    match = _MONTH.match(code or "")
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise ValueError(f"Bulan {code!r} tidak dikenal; tulis seperti 2024-09.")
    return int(match.group(1)), int(match.group(2))


def month_end(code: str) -> date:
    year, month = parse_month(code)
    return date(year, month, calendar.monthrange(year, month)[1])


def month_label(code: str) -> str:
    """"2024-09" -> "September 2024"."""
    year, month = parse_month(code)
    return f"{MONTHS_ID[month - 1]} {year}"


def month_choices(period: Period) -> list[tuple[str, str]]:
    """The 24 months of the period's year and the next one."""
    return [(f"{year}-{m:02d}", month_label(f"{year}-{m:02d}"))
            for year in (period.year, period.year + 1) for m in range(1, 13)]


def quarter_of_month(code: str) -> str:
    """"2024-09" -> "2024-TW3"."""
    year, month = parse_month(code)
    return f"{year}-TW{(month - 1) // 3 + 1}"


def schedule_text(item: RtlItem) -> str:
    """The item's plan in words: "TW III 2024, TW IV 2024" or "September 2024"."""
    if item.months:
        return ", ".join(month_label(m) for m in sorted(item.months))
    return ", ".join(quarter_label(q) for q in sorted(item.quarters or (), key=quarter_key))


def schedule_columns(items) -> list[dict]:
    """The time columns of Tabel 2, in time order, as ``{"code", "label", "year"}``.

    - Every item planned in triwulan: the quarters used ("2024-TW3", "TW III", 2024).
    - Every item planned in months: the months used ("2024-09", "Sep", 2024).
    - Some in triwulan, some in months: quarters, the coarser grain, so the table keeps the
      seed's shape; a month item is ticked in the triwulan that contains its months
      (:func:`planned_in`).
    Group the columns by ``year`` for a heading row such as the seed's "2024".
    """
    items = list(items)
    quarters = {q for item in items for q in item.quarters or ()}
    months = {m for item in items for m in item.months or ()}
    if months and not any(item.quarters for item in items):
        return [{"code": m, "label": MONTHS_SHORT_ID[parse_month(m)[1] - 1],
                 "year": parse_month(m)[0]} for m in sorted(months)]
    quarters |= {quarter_of_month(m) for m in months}
    return [{"code": q, "label": f"TW {ROMAN[parse_period(q).number]}",
             "year": parse_period(q).year} for q in sorted(quarters, key=quarter_key)]


def planned_in(item: RtlItem, code: str) -> bool:
    """Whether the item is planned in the column ``code`` (a triwulan "2024-TW3" or a month
    "2024-09"): its planned triwulan or months overlap the column's time."""
    if _MONTH.match(code or ""):
        return code in (item.months or ()) or quarter_of_month(code) in (item.quarters or ())
    return code in (item.quarters or ()) or any(
        quarter_of_month(m) == code for m in item.months or ())
