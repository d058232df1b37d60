"""Half-up rounding, applied only where a figure is published."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction


def round_half_up(value: Fraction | int, places: int) -> Decimal:
    """Round an exact value half-up (away from zero on a tie) to ``places`` decimals.

    Works on the exact fraction, so 88.305 rounds to 88.31 however it was computed.
    """
    value = Fraction(value)
    scaled = value * 10**places
    sign = -1 if scaled < 0 else 1
    magnitude = abs(scaled)
    whole = magnitude.numerator // magnitude.denominator
    if (magnitude - whole) * 2 >= 1:
        whole += 1
    return Decimal(sign * whole).scaleb(-places).quantize(Decimal(1).scaleb(-places))


def round_to_int(value: Fraction | int) -> int:
    """Nearest integer, ties half-up."""
    return int(round_half_up(value, 0))


__all__ = ["round_half_up", "round_to_int"]
