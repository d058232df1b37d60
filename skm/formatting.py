"""Indonesian number formats for what people read: "98,72", "1.250"."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from .engine import round_half_up


def decimal_id(value: Fraction | Decimal | int | None, places: int = 2, empty: str = "-") -> str:
    """Half-up rounded, decimal comma, dot between thousands: 1234.5 -> "1.234,50"."""
    if value is None:
        return empty
    rounded = round_half_up(Fraction(value), places)
    sign = "-" if rounded < 0 else ""
    whole, _, frac = f"{abs(rounded):f}".partition(".")
    text = integer_id(int(whole))
    return f"{sign}{text},{frac}" if places > 0 else f"{sign}{text}"


def integer_id(value: int) -> str:
    return f"{value:,}".replace(",", ".")


def percent_id(part: int, whole: int, places: int = 1) -> str:
    if not whole:
        return "-"
    return decimal_id(Fraction(part * 100, whole), places) + "%"
