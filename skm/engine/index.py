"""NRR, IKM, konversi, mutu and kinerja (PermenPANRB 14/2017 BAB V, Tabel II p.19)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from .errors import EngineError
from .questionnaire import DEFAULT_QUESTIONNAIRE, Questionnaire
from .rounding import round_half_up
from .tally import Tally

KONVERSI_FACTOR = 25
COMBINE_METHODS = ("mean_of_services", "pooled")


@dataclass(frozen=True)
class Grade:
    mutu: str
    kinerja: str
    nilai_persepsi: int


#: Tabel II, on the published (half-up rounded to 2 decimals) konversi, lower bounds inclusive.
#: The regulation's ranges leave gaps (64,99..65,00); inclusive lower bounds close them, so a
#: reader who sees 88,31 sees A.
GRADE_BOUNDS = (
    (Decimal("88.31"), Grade("A", "Sangat baik", 4)),
    (Decimal("76.61"), Grade("B", "Baik", 3)),
    (Decimal("65.00"), Grade("C", "Kurang baik", 2)),
    (Decimal("-Infinity"), Grade("D", "Tidak baik", 1)),
)


def grade_table() -> list[dict]:
    """Tabel II (p.19) from ``GRADE_BOUNDS``, laid out as the seed report prints it.

    The konversi intervals run from each inclusive lower bound to 0,01 below the next one. The
    IKM intervals (1-4 scale) are those divided by 25, the lower end rounded up and the upper end
    down to 2 decimals (64,99 / 25 = 2,5996 prints as 2,59; 76,61 / 25 = 3,0644 as 3,07), which
    reproduces the seed. The grade itself is always decided on the rounded konversi.
    """
    cent = Fraction(1, 100)
    rows = []
    upper = Fraction(100)
    for lower, grade in GRADE_BOUNDS:  # A first
        low = Fraction(25) if lower.is_infinite() else Fraction(lower)
        rows.append({
            "nilai_persepsi": grade.nilai_persepsi,
            "ikm_low": Fraction(math.ceil(low / 25 / cent)) * cent,
            "ikm_high": Fraction(math.floor(upper / 25 / cent)) * cent,
            "konversi_low": low,
            "konversi_high": upper,
            "mutu": grade.mutu,
            "kinerja": grade.kinerja,
        })
        upper = low - cent
    return rows[::-1]


def konversi(value: Fraction) -> Fraction:
    """A value on the 1-4 scale converted to 25-100."""
    return value * KONVERSI_FACTOR


def grade(konversi_value: Fraction | Decimal) -> Grade:
    """Mutu and kinerja of a konversi value (25-100 scale)."""
    if isinstance(konversi_value, Decimal):
        konversi_value = Fraction(konversi_value)
    published = round_half_up(konversi_value, 2)
    for lower, result in GRADE_BOUNDS:
        if published >= lower:
            return result
    raise AssertionError("unreachable")  # pragma: no cover


def grade_of_nilai(value: Fraction) -> Grade:
    """Mutu and kinerja of a value on the 1-4 scale (an NRR or an IKM)."""
    return grade(konversi(value))


@dataclass(frozen=True)
class UnsurResult:
    code: str
    answers: int
    nrr: Fraction | None

    @property
    def konversi(self) -> Fraction | None:
        return None if self.nrr is None else konversi(self.nrr)

    @property
    def grade(self) -> Grade | None:
        return None if self.nrr is None else grade_of_nilai(self.nrr)


@dataclass(frozen=True)
class GroupResult:
    """The regulation's numbers for one group (a layanan, a unit, a region)."""

    name: str | None
    respondents: int
    unsur: Mapping[str, UnsurResult]
    ikm: Fraction | None

    @property
    def konversi(self) -> Fraction | None:
        return None if self.ikm is None else konversi(self.ikm)

    @property
    def grade(self) -> Grade | None:
        return None if self.ikm is None else grade_of_nilai(self.ikm)

    def nrr(self, code: str) -> Fraction | None:
        result = self.unsur.get(code)
        return None if result is None else result.nrr

    def nrr_map(self) -> dict[str, Fraction | None]:
        return {code: u.nrr for code, u in self.unsur.items()}


def evaluate(
    tally: Tally, questionnaire: Questionnaire = DEFAULT_QUESTIONNAIRE, name: str | None = None
) -> GroupResult:
    """NRR per unsur and the IKM of one tally.

    NRR counts answered items only. The IKM is ``sum(w_i * NRR_i)`` over the answered unsur; under
    equal and custom weights, the weights are renormalised over the answered unsur (see
    :meth:`Questionnaire.effective_weights`). Unsur in the tally that the questionnaire does not
    have are ignored.
    """
    unsur = {}
    for code in questionnaire.codes:
        counts = tally.counts(code)
        unsur[code] = UnsurResult(code, counts.answers, counts.nrr)
    answered = frozenset(code for code, u in unsur.items() if u.nrr is not None)
    weights = questionnaire.effective_weights(answered)
    ikm = sum((weights[c] * unsur[c].nrr for c in weights), Fraction(0)) if weights else None
    return GroupResult(name, tally.respondents, unsur, ikm)


@dataclass(frozen=True)
class GroupSums:
    """The sums behind :func:`mean_of_groups`, for any set of groups: they add up.

    Per unsur the number of answers, the sum of the groups' NRRs and how many groups had one;
    the sum of the groups' IKMs and how many had one; the respondents. The sums of a region are
    its parts' sums added, in any order and exactly (fractions), so a region can be computed
    from the sums of its units instead of from every layanan again.
    """

    respondents: int
    answers: Mapping[str, int]
    nrr_sum: Mapping[str, Fraction]
    nrr_count: Mapping[str, int]
    ikm_sum: Fraction
    ikm_count: int

    @classmethod
    def of(cls, result: GroupResult) -> GroupSums:
        present = {code: u.nrr for code, u in result.unsur.items() if u.nrr is not None}
        return cls(
            result.respondents,
            {code: u.answers for code, u in result.unsur.items()},
            present,
            dict.fromkeys(present, 1),
            result.ikm if result.ikm is not None else Fraction(0),
            0 if result.ikm is None else 1,
        )

    @classmethod
    def add(cls, parts: Iterable[GroupSums]) -> GroupSums:
        respondents, ikm_count, ikm_sum = 0, 0, Fraction(0)
        answers: dict[str, int] = {}
        nrr_sum: dict[str, Fraction] = {}
        nrr_count: dict[str, int] = {}
        for part in parts:
            respondents += part.respondents
            ikm_sum += part.ikm_sum
            ikm_count += part.ikm_count
            for code, n in part.answers.items():
                answers[code] = answers.get(code, 0) + n
            for code, value in part.nrr_sum.items():
                nrr_sum[code] = nrr_sum.get(code, Fraction(0)) + value
                nrr_count[code] = nrr_count.get(code, 0) + part.nrr_count[code]
        return cls(respondents, answers, nrr_sum, nrr_count, ikm_sum, ikm_count)


def mean_of_sums(
    sums: GroupSums,
    questionnaire: Questionnaire = DEFAULT_QUESTIONNAIRE,
    name: str | None = None,
) -> GroupResult:
    """:func:`mean_of_groups` of the groups these sums were added from."""
    unsur = {}
    for code in questionnaire.codes:
        count = sums.nrr_count.get(code, 0)
        unsur[code] = UnsurResult(code, sums.answers.get(code, 0),
                                  sums.nrr_sum[code] / count if count else None)
    ikm = sums.ikm_sum / sums.ikm_count if sums.ikm_count else None
    return GroupResult(name, sums.respondents, unsur, ikm)


def mean_of_groups(
    results: Iterable[GroupResult],
    questionnaire: Questionnaire = DEFAULT_QUESTIONNAIRE,
    name: str | None = None,
) -> GroupResult:
    """Combine groups so that each group counts equally (the seed report's method).

    Per unsur: the plain mean of the groups' NRRs ("Rata-rata IKM per Unsur"). The IKM: the plain
    mean of the groups' IKMs ("Rata-rata IKM Layanan"). Groups without a value for an unsur (or
    without any answer) are left out of that mean, never counted as zero.
    """
    return mean_of_sums(GroupSums.add(GroupSums.of(r) for r in results), questionnaire, name)


@dataclass(frozen=True)
class Method:
    weights: str
    combine: str

    def as_dict(self) -> dict[str, str]:
        return {"weights": self.weights, "combine": self.combine}


@dataclass(frozen=True)
class CombinedResult:
    """A unit's result: one row per layanan, the overall figure, and how it was computed."""

    method: Method
    layanan: tuple[GroupResult, ...]
    overall: GroupResult


def combine(
    tallies: Mapping[str, Tally] | Iterable[tuple[str, Tally]],
    questionnaire: Questionnaire = DEFAULT_QUESTIONNAIRE,
    method: str = "mean_of_services",
    name: str | None = None,
) -> CombinedResult:
    """Evaluate each layanan and combine them into the unit's figure.

    ``mean_of_services`` (default): every layanan counts equally, as in the seed report's Tabel 1.
    ``pooled``: all answers summed together, so every respondent counts equally.
    """
    if method not in COMBINE_METHODS:
        raise EngineError(
            f"Metode gabungan {method!r} tidak dikenal; pilih {' atau '.join(COMBINE_METHODS)}."
        )
    items = list(tallies.items() if isinstance(tallies, Mapping) else tallies)
    layanan = tuple(evaluate(t, questionnaire, n) for n, t in items)
    if method == "pooled":
        overall = evaluate(Tally.merge(t for _, t in items), questionnaire, name)
    else:
        overall = mean_of_groups(layanan, questionnaire, name)
    return CombinedResult(Method(questionnaire.weights, method), layanan, overall)
