"""Follow-up figures: the share of RTL items realised (the seed report's BAB IV)."""

from __future__ import annotations

from fractions import Fraction


def completion_percent(done: int, planned: int) -> Fraction | None:
    """Items realised as an exact percentage of items planned; None when nothing is planned."""
    if planned < 0 or not 0 <= done <= planned:
        raise ValueError(f"done={done}, planned={planned}")
    return Fraction(done * 100, planned) if planned else None
