"""Tallies: integer sufficient statistics that add (SKM-RULES section 2 and 4)."""

from decimal import Decimal
from fractions import Fraction

import pytest

from skm.engine import EngineError, Tally, UnsurCounts

A = Tally.from_responses([{"U1": 4, "U2": 3}, {"U1": 1, "U2": None}])
B = Tally.from_responses([{"U1": 2, "U3": 4}])
C = Tally.from_responses([{"U2": 2, "U3": 1}, {"U3": 3}, {}])


def test_unsur_counts_properties():
    counts = UnsurCounts((1, 2, 3, 4))
    assert counts.answers == 10
    assert counts.total == 1 * 1 + 2 * 2 + 3 * 3 + 4 * 4
    assert counts.nrr == Fraction(30, 10)


def test_unsur_counts_nobody_answered():
    counts = UnsurCounts()
    assert (counts.answers, counts.total, counts.nrr) == (0, 0, None)


def test_unsur_counts_add():
    assert UnsurCounts((1, 0, 2, 0)) + UnsurCounts((0, 3, 1, 5)) == UnsurCounts((1, 3, 3, 5))


@pytest.mark.parametrize(
    "counts", [(1, 2, 3), (1, 2, 3, 4, 5), (-1, 0, 0, 0), (1.0, 0, 0, 0), ("1", 0, 0, 0)]
)
def test_unsur_counts_invalid(counts):
    with pytest.raises(EngineError):
        UnsurCounts(counts)


def test_unsur_counts_rejects_bool_counts():
    # krejcie_morgan and priorities reject bools explicitly; a count is no different
    with pytest.raises(EngineError):
        UnsurCounts((True, 0, 0, 0))


def test_from_responses_counts():
    assert A.respondents == 2
    assert A.counts("U1").counts == (1, 0, 0, 1)
    assert A.counts("U2").counts == (0, 0, 1, 0)
    assert A.counts("U9").counts == (0, 0, 0, 0)
    assert A.nrr("U1") == Fraction(5, 2)
    assert A.nrr("U9") is None


def test_from_responses_empty_response_is_a_respondent():
    assert C.respondents == 3
    assert Tally.from_responses([]).respondents == 0


@pytest.mark.parametrize("answer", [0, 5, -1, 2.5, "3", True, False])
def test_from_responses_rejects_answers_outside_1_to_4_and_bools(answer):
    with pytest.raises(EngineError):
        Tally.from_responses([{"U1": 3}, {"U1": answer}])


@pytest.mark.parametrize("answer", [3.0, Decimal("3"), Fraction(3)], ids=repr)
def test_from_responses_rejects_non_int_numbers_with_engine_error(answer):
    # e.g. a spreadsheet cell read as float 3.0: the user must get an EngineError, not a crash
    with pytest.raises(EngineError):
        Tally.from_responses([{"U1": answer}])


def test_from_counts():
    tally = Tally.from_counts({"U1": [1, 0, 0, 2], "U2": (0, 1, 0, 0)}, respondents=5)
    assert tally.respondents == 5
    assert tally.counts("U1").total == 9
    assert tally.nrr("U2") == 2


def test_from_counts_without_respondents_takes_the_most_answered_unsur():
    tally = Tally.from_counts({"U1": (1, 0, 0, 2), "U2": (0, 1, 0, 0)})
    assert tally.respondents == 3
    assert Tally.from_counts({}).respondents == 0


def test_more_answers_than_respondents_raises():
    with pytest.raises(EngineError):
        Tally.from_counts({"U1": (1, 1, 1, 1)}, respondents=3)
    with pytest.raises(EngineError):
        Tally({"U1": UnsurCounts((0, 0, 0, 2))}, respondents=1)


def test_answers_equal_to_respondents_is_fine():
    assert Tally.from_counts({"U1": (1, 1, 1, 1)}, respondents=4).respondents == 4


@pytest.mark.parametrize("respondents", [-1, 2.0, "2"])
def test_invalid_respondents_raise(respondents):
    with pytest.raises(EngineError):
        Tally({}, respondents)


def test_tally_accepts_plain_tuples_as_counts():
    tally = Tally({"U1": (0, 0, 1, 1)}, respondents=2)
    assert isinstance(tally.counts("U1"), UnsurCounts)
    assert tally.nrr("U1") == Fraction(7, 2)


def test_unanswered_unsur_does_not_change_equality():
    assert Tally({"U1": (0, 0, 0, 0)}, respondents=1) == Tally({}, respondents=1)
    assert A + Tally.from_counts({"U7": (0, 0, 0, 0)}) == A


def test_add_by_hand():
    total = A + B
    assert total.respondents == 3
    assert total.counts("U1").counts == (1, 1, 0, 1)
    assert total.counts("U2").counts == (0, 0, 1, 0)
    assert total.counts("U3").counts == (0, 0, 0, 1)


def test_add_is_commutative():
    assert A + B == B + A
    assert A + C == C + A


def test_add_is_associative():
    assert (A + B) + C == A + (B + C)


def test_respondents_add():
    assert (A + B + C).respondents == A.respondents + B.respondents + C.respondents


def test_empty_tally_is_neutral():
    assert A + Tally() == A
    assert Tally() + A == A


def test_sum_and_merge():
    assert sum([A, B, C]) == A + B + C
    assert Tally.merge([A, B, C]) == A + B + C
    assert Tally.merge([]) == Tally()


def test_merge_of_a_split_equals_the_whole():
    responses = [{"U1": 4, "U2": 3}, {"U1": 1, "U2": None}, {"U1": 2, "U3": 4}, {}]
    parts = [Tally.from_responses(responses[:1]), Tally.from_responses(responses[1:])]
    assert Tally.merge(parts) == Tally.from_responses(responses)
