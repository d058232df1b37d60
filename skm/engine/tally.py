"""Tallies: the integer sufficient statistics every number of the regulation comes from.

A tally holds, per unsur code, how many answers of each value 1..4 a group gave, and how many
respondents the group has. Tallies add, so a unit's tally is the sum of its layanan's tallies, a
kecamatan's the sum of its units', and the same whether counted in Python or by GROUP BY.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction

from .errors import EngineError

ANSWER_VALUES = (1, 2, 3, 4)


def _is_count(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


@dataclass(frozen=True)
class UnsurCounts:
    """Counts of answers 1, 2, 3 and 4 to one unsur."""

    counts: tuple[int, int, int, int] = (0, 0, 0, 0)

    def __post_init__(self):
        counts = tuple(self.counts)
        if len(counts) != 4 or not all(_is_count(c) for c in counts):
            raise EngineError(f"Hitungan jawaban harus empat bilangan bulat >= 0: {self.counts!r}")
        object.__setattr__(self, "counts", counts)

    @property
    def answers(self) -> int:
        return sum(self.counts)

    @property
    def total(self) -> int:
        """Sum of the answer values (the form's "ΣNilai/Unsur")."""
        return sum(v * c for v, c in zip(ANSWER_VALUES, self.counts, strict=True))

    @property
    def nrr(self) -> Fraction | None:
        """Nilai rata-rata: sum / number of answers, over answered items only.

        ``None`` when nobody answered: a blank is not a zero.
        """
        n = self.answers
        return Fraction(self.total, n) if n else None

    def __add__(self, other: UnsurCounts) -> UnsurCounts:
        return UnsurCounts(tuple(a + b for a, b in zip(self.counts, other.counts, strict=True)))


@dataclass(frozen=True)
class Tally:
    """Answer counts per unsur code, plus the number of respondents."""

    unsur: Mapping[str, UnsurCounts] = field(default_factory=dict)
    respondents: int = 0

    def __post_init__(self):
        if not _is_count(self.respondents):
            raise EngineError("Jumlah responden harus bilangan bulat >= 0.")
        unsur = {}
        for code, counts in dict(self.unsur).items():
            counts = counts if isinstance(counts, UnsurCounts) else UnsurCounts(counts)
            if counts.answers:  # an unsur nobody answered is absent, so equal tallies compare equal
                unsur[code] = counts
        for code, counts in unsur.items():
            if counts.answers > self.respondents:
                raise EngineError(
                    f"Unsur {code}: {counts.answers} jawaban, lebih banyak dari "
                    f"{self.respondents} responden."
                )
        object.__setattr__(self, "unsur", unsur)

    @classmethod
    def from_counts(cls, counts: Mapping[str, Iterable[int]], respondents: int | None = None):
        """Build from ``{code: (n1, n2, n3, n4)}``.

        Without ``respondents``, every respondent is assumed to have answered the most-answered
        unsur.
        """
        unsur = {code: UnsurCounts(tuple(c)) for code, c in counts.items()}
        if respondents is None:
            respondents = max((c.answers for c in unsur.values()), default=0)
        return cls(unsur, respondents)

    @classmethod
    def from_responses(cls, responses: Iterable[Mapping[str, int | None]]) -> Tally:
        """Count responses given as ``{code: answer or None}``; answers must be 1..4."""
        counts: dict[str, list[int]] = {}
        respondents = 0
        for response in responses:
            respondents += 1
            for code, answer in response.items():
                if answer is None:
                    continue
                if type(answer) is not int or answer not in ANSWER_VALUES:
                    raise EngineError(f"Unsur {code}: jawaban {answer!r} bukan 1-4.")
                counts.setdefault(code, [0, 0, 0, 0])[answer - 1] += 1
        return cls({code: UnsurCounts(tuple(c)) for code, c in counts.items()}, respondents)

    def counts(self, code: str) -> UnsurCounts:
        return self.unsur.get(code, UnsurCounts())

    def nrr(self, code: str) -> Fraction | None:
        return self.counts(code).nrr

    def __add__(self, other: Tally) -> Tally:
        codes = list(self.unsur) + [c for c in other.unsur if c not in self.unsur]
        return Tally(
            {code: self.counts(code) + other.counts(code) for code in codes},
            self.respondents + other.respondents,
        )

    def __radd__(self, other):
        # lets sum(tallies) start from 0
        if other == 0:
            return self
        return NotImplemented

    @classmethod
    def merge(cls, tallies: Iterable[Tally]) -> Tally:
        result = cls()
        for t in tallies:
            result = result + t
        return result
