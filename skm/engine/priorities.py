"""Which unsur to improve first: the lowest, on unrounded values, with ties kept together."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

from .errors import EngineError


@dataclass(frozen=True)
class Priority:
    """One step of the ranking: the unsur that share this exact value."""

    rank: int
    codes: tuple[str, ...]
    nrr: Fraction

    @property
    def tied(self) -> bool:
        return len(self.codes) > 1


def ranking(nrr: Mapping[str, Fraction | None]) -> list[Priority]:
    """All answered unsur, lowest first, grouped by exactly equal value.

    Order within a tie follows the mapping (the questionnaire's order).
    """
    groups: dict[Fraction, list[str]] = {}
    for code, value in nrr.items():
        if value is not None:
            groups.setdefault(Fraction(value), []).append(code)
    result, rank = [], 1
    for value in sorted(groups):
        result.append(Priority(rank, tuple(groups[value]), value))
        rank += len(groups[value])
    return result


def priorities(
    nrr: Mapping[str, Fraction | None],
    lowest: int | None = None,
    below: Fraction | str | int | None = None,
) -> list[Priority]:
    """The priority unsur: the ``lowest`` k, or all strictly ``below`` a value (1-4 scale).

    A tie is never cut: when the k-th unsur ties with the next ones, they all come along.
    With neither argument, the single lowest (and whatever ties with it).
    """
    if lowest is not None and below is not None:
        raise EngineError("Pilih salah satu: jumlah unsur terendah atau batas nilai.")
    ranked = ranking(nrr)
    if below is not None:
        limit = Fraction(str(below).replace(",", "."))
        return [p for p in ranked if p.nrr < limit]
    k = 1 if lowest is None else lowest
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise EngineError(f"Jumlah unsur prioritas harus bilangan bulat >= 1, bukan {k!r}.")
    chosen, taken = [], 0
    for p in ranked:
        if taken >= k:
            break
        chosen.append(p)
        taken += len(p.codes)
    return chosen


def priority_codes(groups: list[Priority]) -> list[str]:
    return [code for p in groups for code in p.codes]
