"""Minimum sample size: Krejcie & Morgan (PermenPANRB 14/2017 p.17, Lampiran II)."""

from __future__ import annotations

from fractions import Fraction
from functools import lru_cache

from .errors import EngineError
from .rounding import round_to_int

CHI_SQUARE = Fraction(3841, 1000)  # chi-square, 1 degree of freedom, 95 %
PROPORTION = Fraction(1, 2)
MARGIN = Fraction(5, 100)


def krejcie_morgan(population: int) -> int:
    """``S = X2 N P (1-P) / (d2 (N-1) + X2 P (1-P))``, rounded to the nearest integer.

    Nearest-integer rounding reproduces all 90 rows of the regulation's table; rounding up does
    not (e.g. N = 100 gives 80 in the table, 79.5 before rounding).
    """
    if isinstance(population, bool) or not isinstance(population, int):
        raise EngineError(f"Populasi harus bilangan bulat, bukan {population!r}.")
    if population < 1:
        raise EngineError(f"Populasi harus sedikitnya 1 (sekarang {population}).")
    return _krejcie_morgan(population)


@lru_cache(maxsize=4096)  # exact and pure: a region asks for the same sizes again and again
def _krejcie_morgan(population: int) -> int:
    pq = PROPORTION * (1 - PROPORTION)
    s = CHI_SQUARE * population * pq / (MARGIN**2 * (population - 1) + CHI_SQUARE * pq)
    return min(round_to_int(s), population)
