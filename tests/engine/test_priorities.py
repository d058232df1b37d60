"""Which unsur to improve first (regulation p.21, SKM-RULES section 7)."""

from fractions import Fraction

import pytest

from skm.engine import EngineError, priorities, priority_codes, ranking, round_half_up

F = Fraction

# Like the seed: U1 is lowest (3.94 published); all the others publish as 3.95, but only
# U5 and U6 are exactly equal.
SEED_LIKE = {
    "U1": F("3.944"),
    "U2": F("3.9461"),
    "U3": F("3.9502"),
    "U4": F("3.9540"),
    "U5": F("3.9480"),
    "U6": F("3.9480"),
    "U7": F("3.9499"),
    "U8": F("3.9470"),
    "U9": F("3.9515"),
}


def codes(groups):
    return [p.codes for p in groups]


def test_seed_like_values_tie_only_after_rounding():
    published = {code: str(round_half_up(v, 2)) for code, v in SEED_LIKE.items()}
    assert published.pop("U1") == "3.94"
    assert set(published.values()) == {"3.95"}


def test_ranking_is_on_unrounded_values():
    assert codes(ranking(SEED_LIKE)) == [
        ("U1",), ("U2",), ("U8",), ("U5", "U6"), ("U7",), ("U3",), ("U9",), ("U4",)
    ]


def test_ranks_skip_after_a_tie():
    ranked = ranking(SEED_LIKE)
    assert [p.rank for p in ranked] == [1, 2, 3, 4, 6, 7, 8, 9]
    assert [p.tied for p in ranked] == [False, False, False, True, False, False, False, False]
    assert ranked[3].nrr == F("3.948")


def test_default_is_the_single_lowest():
    result = priorities(SEED_LIKE)
    assert codes(result) == [("U1",)]
    assert result[0].nrr == F("3.944")


def test_lowest_three():
    assert priority_codes(priorities(SEED_LIKE, lowest=3)) == ["U1", "U2", "U8"]


@pytest.mark.parametrize("k", [4, 5])
def test_lowest_k_never_cuts_a_tie(k):
    # the 4th and 5th lowest are the exact tie U5 = U6: both come along either way
    assert priority_codes(priorities(SEED_LIKE, lowest=k)) == ["U1", "U2", "U8", "U5", "U6"]


def test_lowest_k_larger_than_the_unsur_gives_all():
    assert len(priority_codes(priorities(SEED_LIKE, lowest=20))) == 9


def test_exact_tie_for_lowest_is_reported_together():
    nrr = {"U1": F(7, 2), "U2": F(35, 10), "U3": F(4)}
    result = priorities(nrr)
    assert codes(result) == [("U1", "U2")]
    assert result[0].tied


def test_tie_order_follows_the_mapping():
    nrr = {"U9": F(3), "U2": F(3), "U5": F(3)}
    assert codes(ranking(nrr)) == [("U9", "U2", "U5")]


@pytest.mark.parametrize("below", [F("3.95"), "3.95", "3,95"])
def test_below_is_strict(below):
    nrr = dict(SEED_LIKE, U3=F("3.95"))
    assert priority_codes(priorities(nrr, below=below)) == ["U1", "U2", "U8", "U5", "U6", "U7"]


def test_below_on_the_1_to_4_scale_with_an_int():
    nrr = {"U1": F(3), "U2": F(29, 10), "U3": F(31, 10)}
    assert priority_codes(priorities(nrr, below=3)) == ["U2"]


def test_below_nothing_qualifies():
    assert priorities(SEED_LIKE, below="3") == []


def test_both_arguments_raise():
    with pytest.raises(EngineError):
        priorities(SEED_LIKE, lowest=1, below="3.95")


@pytest.mark.parametrize("k", [0, -1, True, 1.0, "2"])
def test_invalid_lowest_raises(k):
    with pytest.raises(EngineError):
        priorities(SEED_LIKE, lowest=k)


def test_none_values_are_skipped():
    nrr = {"U1": None, "U2": F(3), "U3": None, "U4": F(2)}
    assert codes(ranking(nrr)) == [("U4",), ("U2",)]
    assert priority_codes(priorities(nrr, lowest=2)) == ["U4", "U2"]
    assert priority_codes(priorities(nrr, below=4)) == ["U4", "U2"]


def test_nothing_answered():
    nrr = {"U1": None, "U2": None}
    assert ranking(nrr) == []
    assert priorities(nrr) == []
