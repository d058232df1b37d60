"""Survey periods: triwulan ``2024-TW3``, semester ``2024-S2``, year ``2024``."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

KINDS = ("triwulan", "semester", "tahun")
ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}
_PATTERN = re.compile(r"^\s*(\d{4})(?:\s*-\s*(TW|S)\s*([1-4]))?\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class PeriodSpec:
    code: str
    kind: str
    year: int
    number: int  # 1-4 for triwulan, 1-2 for semester, 0 for a year
    start: date
    end: date

    @property
    def label(self) -> str:
        """As the reports write it: "Semester II Tahun 2024"."""
        if self.kind == "tahun":
            return f"Tahun {self.year}"
        name = "Triwulan" if self.kind == "triwulan" else "Semester"
        return f"{name} {ROMAN[self.number]} Tahun {self.year}"


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def parse_period(code: str) -> PeriodSpec:
    """``2024-S2`` -> semester II 2024 (1 Jul - 31 Dec). Raises ValueError with a message."""
    match = _PATTERN.match(code or "")
    if not match:
        raise ValueError(
            f"Periode {code!r} tidak dikenal; tulis seperti 2024-S2 (semester), 2024-TW3 "
            "(triwulan) atau 2024 (tahun)."
        )
    year = int(match.group(1))
    if not 2000 <= year <= 2100:
        raise ValueError(f"Tahun periode {year} di luar 2000-2100.")
    if match.group(2) is None:
        return PeriodSpec(str(year), "tahun", year, 0, date(year, 1, 1), date(year, 12, 31))
    kind = "triwulan" if match.group(2).upper() == "TW" else "semester"
    number = int(match.group(3))
    if kind == "semester" and number > 2:
        raise ValueError(f"Semester hanya 1 atau 2, bukan {number}.")
    months = 3 if kind == "triwulan" else 6
    first = (number - 1) * months + 1
    last = first + months - 1
    code = f"{year}-{'TW' if kind == 'triwulan' else 'S'}{number}"
    return PeriodSpec(code, kind, year, number, date(year, first, 1), _month_end(year, last))


def period_containing(day: date, kind: str) -> PeriodSpec:
    if kind == "tahun":
        return parse_period(str(day.year))
    if kind == "semester":
        return parse_period(f"{day.year}-S{1 if day.month <= 6 else 2}")
    return parse_period(f"{day.year}-TW{(day.month - 1) // 3 + 1}")
