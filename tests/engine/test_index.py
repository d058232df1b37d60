"""NRR and IKM of one group (SKM-RULES section 2, regulation p.18-21)."""

from decimal import Decimal
from fractions import Fraction

import pytest

from skm.engine import (
    DEFAULT_QUESTIONNAIRE,
    EngineError,
    Questionnaire,
    Tally,
    Unsur,
    evaluate,
    round_half_up,
)

CODES = DEFAULT_QUESTIONNAIRE.codes

# The public test vector: n = 29, every unsur answered by all 29, with these sums.
VECTOR_N = 29
VECTOR_SUMS = (105, 101, 100, 116, 102, 105, 106, 105, 115)

# Counts of answers (1, 2, 3, 4) per unsur, chosen by hand to give the sums above.
VECTOR_COUNTS = {
    "U1": (1, 1, 6, 21),  # 1 + 2 + 18 + 84 = 105
    "U2": (0, 1, 13, 15),  # 2 + 39 + 60 = 101
    "U3": (0, 0, 16, 13),  # 48 + 52 = 100
    "U4": (0, 0, 0, 29),  # 116
    "U5": (0, 2, 10, 17),  # 4 + 30 + 68 = 102
    "U6": (0, 0, 11, 18),  # 33 + 72 = 105
    "U7": (0, 0, 10, 19),  # 30 + 76 = 106
    "U8": (0, 1, 9, 19),  # 2 + 27 + 76 = 105
    "U9": (0, 0, 1, 28),  # 3 + 112 = 115
}


def vector_tally():
    return Tally.from_counts(VECTOR_COUNTS, respondents=VECTOR_N)


def published(value):
    return round_half_up(value, 2)


def unsur(code, weight=None):
    return Unsur(code, f"Unsur {code}", f"Pertanyaan {code}?", ("a", "b", "c", "d"), weight)


def custom(weights):
    """A questionnaire with custom weights, one unsur per (code, weight) pair."""
    return Questionnaire("test", tuple(unsur(c, w) for c, w in weights.items()), "custom")


def test_vector_counts_match_the_published_sums():
    for code, expected in zip(CODES, VECTOR_SUMS, strict=True):
        counts = VECTOR_COUNTS[code]
        assert sum(counts) == VECTOR_N
        assert sum(v * c for v, c in zip((1, 2, 3, 4), counts, strict=True)) == expected


def test_vector_nrr_per_unsur():
    result = evaluate(vector_tally())
    assert result.respondents == VECTOR_N
    for code, total in zip(CODES, VECTOR_SUMS, strict=True):
        assert result.unsur[code].answers == VECTOR_N
        assert result.nrr(code) == Fraction(total, VECTOR_N)


def test_vector_equal_weights():
    result = evaluate(vector_tally())
    assert result.ikm == Fraction(955, 29 * 9) == Fraction(955, 261)
    assert round_half_up(result.ikm, 6) == Decimal("3.659004")
    assert published(result.konversi) == Decimal("91.48")
    assert result.grade.mutu == "A"
    assert result.grade.kinerja == "Sangat baik"


@pytest.mark.parametrize(
    ("scheme", "constant", "expected"),
    [
        ("0.111", Fraction(111, 1000), Decimal("91.38")),
        ("0.11", Fraction(11, 100), Decimal("90.56")),
    ],
)
def test_vector_legacy_weights(scheme, constant, expected):
    result = evaluate(vector_tally(), DEFAULT_QUESTIONNAIRE.with_weights(scheme))
    assert result.ikm == constant * Fraction(955, 29)
    assert published(result.konversi) == expected


def test_vector_from_raw_responses_equals_vector_from_counts():
    responses = [{} for _ in range(VECTOR_N)]
    for code, counts in VECTOR_COUNTS.items():
        answers = [value for value, c in zip((1, 2, 3, 4), counts, strict=True) for _ in range(c)]
        for response, answer in zip(responses, answers, strict=True):
            response[code] = answer
    assert evaluate(Tally.from_responses(responses)).ikm == Fraction(955, 261)


def test_blank_is_excluded_not_zero():
    responses = [
        {"U1": 4, "U2": 3},
        {"U1": 2, "U2": None},
        {"U1": None, "U2": None},
    ]
    result = evaluate(Tally.from_responses(responses))
    assert result.respondents == 3
    assert result.unsur["U1"].answers == 2
    assert result.nrr("U1") == Fraction(6, 2)
    assert result.unsur["U2"].answers == 1
    assert result.nrr("U2") == Fraction(3)
    # the seven other unsur were never answered
    assert result.ikm == (Fraction(3) + Fraction(3)) / 2


def test_respondent_who_left_everything_blank_still_counts():
    tally = Tally.from_responses([{"U1": 4}, {code: None for code in CODES}])
    assert tally.respondents == 2
    assert evaluate(tally).nrr("U1") == 4


def test_unanswered_unsur_has_no_nrr_and_equal_weights_renormalise():
    counts = {code: c for code, c in VECTOR_COUNTS.items() if code != "U4"}
    result = evaluate(Tally.from_counts(counts, respondents=VECTOR_N))
    assert result.unsur["U4"].answers == 0
    assert result.nrr("U4") is None
    assert result.unsur["U4"].konversi is None
    assert result.unsur["U4"].grade is None
    # IKM = the mean of the 8 answered NRRs: (955 - 116) / 29 / 8
    assert result.ikm == Fraction(955 - 116, 29 * 8)


def test_legacy_weights_apply_the_constant_to_answered_unsur_only():
    counts = {code: c for code, c in VECTOR_COUNTS.items() if code != "U4"}
    questionnaire = DEFAULT_QUESTIONNAIRE.with_weights("0.11")
    result = evaluate(Tally.from_counts(counts, respondents=VECTOR_N), questionnaire)
    assert result.ikm == Fraction(11, 100) * Fraction(955 - 116, 29)


@pytest.mark.parametrize("questionnaire", ["equal", "0.111", "0.11"], ids=str)
def test_no_answers_at_all(questionnaire):
    q = DEFAULT_QUESTIONNAIRE.with_weights(questionnaire)
    for tally in (Tally(), Tally.from_responses([{}, {"U1": None}])):
        result = evaluate(tally, q)
        assert result.ikm is None
        assert result.konversi is None
        assert result.grade is None
        assert all(u.nrr is None for u in result.unsur.values())


def test_unsur_outside_the_questionnaire_is_ignored():
    tally = Tally.from_responses([{"U1": 2, "X9": 4}])
    result = evaluate(tally)
    assert "X9" not in result.unsur
    assert result.ikm == 2


def test_custom_weights_given_as_strings():
    q = custom({"A": "0.2", "B": "0.05", "C": "0.75"})
    assert [u.weight for u in q.unsur] == [Fraction(1, 5), Fraction(1, 20), Fraction(3, 4)]
    tally = Tally.from_responses([{"A": 4, "B": 1, "C": 2}, {"A": 3, "B": 1, "C": 3}])
    # NRR A = 7/2, B = 1, C = 5/2
    expected = Fraction(1, 5) * Fraction(7, 2) + Fraction(1, 20) + Fraction(3, 4) * Fraction(5, 2)
    assert evaluate(tally, q).ikm == expected


def test_custom_weights_accept_decimal_comma_and_fractions():
    q = custom({"A": "0,5", "B": Fraction(1, 3), "C": "1/6"})
    assert sum(u.weight for u in q.unsur) == 1


def test_custom_weights_as_float_are_taken_as_printed():
    # 0.1 + 0.2 + 0.7 is not 1 in binary floating point, but is as decimals
    q = custom({"A": 0.1, "B": 0.2, "C": 0.7})
    assert [u.weight for u in q.unsur] == [Fraction(1, 10), Fraction(1, 5), Fraction(7, 10)]


@pytest.mark.parametrize(
    "weights",
    [
        {"A": "0.5", "B": "0.4"},  # 0.9
        {"A": "0.5", "B": "0.6"},  # 1.1
        {"A": "0.333", "B": "0.333", "C": "0.333"},  # 0.999
        {"A": "0.111", "B": "0.889000001"},
    ],
)
def test_custom_weights_not_summing_to_one_raise(weights):
    with pytest.raises(EngineError):
        custom(weights)


@pytest.mark.parametrize("bad", ["abc", "0", "-0.5", "1/0"])
def test_custom_weight_invalid_value_raises(bad):
    with pytest.raises(EngineError):
        custom({"A": bad, "B": "1"})


def test_custom_weights_require_a_weight_on_every_unsur():
    with pytest.raises(EngineError):
        Questionnaire("t", (unsur("A", "1"), unsur("B")), "custom")


def test_weight_on_unsur_without_custom_scheme_raises():
    with pytest.raises(EngineError):
        Questionnaire("t", (unsur("A", "0.5"), unsur("B", "0.5")), "equal")


@pytest.mark.parametrize("scheme", ["equal", "0.111", "0.11"])
def test_named_schemes_are_accepted(scheme):
    assert DEFAULT_QUESTIONNAIRE.with_weights(scheme).weights == scheme


def test_custom_weights_renormalise_over_answered_unsur():
    q = custom({"A": "0.5", "B": "0.3", "C": "0.2"})
    tally = Tally.from_responses([{"A": 4, "B": 1}, {"A": 2, "B": 2, "C": None}])
    # C never answered: weights become 0.5/0.8 and 0.3/0.8; NRR A = 3, B = 3/2
    expected = Fraction(5, 8) * 3 + Fraction(3, 8) * Fraction(3, 2)
    result = evaluate(tally, q)
    assert result.nrr("C") is None
    assert result.ikm == expected


def test_group_name_is_kept():
    assert evaluate(vector_tally(), name="KTP").name == "KTP"
