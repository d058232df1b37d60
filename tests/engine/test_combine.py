"""Several layanan combined into a unit's figure (SKM-RULES section 4)."""

from fractions import Fraction

import pytest

from skm.engine import (
    DEFAULT_QUESTIONNAIRE,
    EngineError,
    Questionnaire,
    Tally,
    Unsur,
    combine,
    evaluate,
    mean_of_groups,
)

AB = Questionnaire(
    "ab", tuple(Unsur(c, c, f"{c}?", ("1", "2", "3", "4")) for c in ("A", "B")), "equal"
)

# Layanan X, 1 respondent: NRR A = 4, B = 2, IKM = 3.
X = Tally.from_responses([{"A": 4, "B": 2}])
# Layanan Y, 3 respondents: NRR A = (1 + 1 + 2) / 3 = 4/3, B = 4, IKM = (4/3 + 4) / 2 = 8/3.
Y = Tally.from_responses([{"A": 1, "B": 4}, {"A": 1, "B": 4}, {"A": 2, "B": 4}])
# Layanan Z, 1 respondent who left B blank: NRR A = 2, B none, IKM = 2.
Z = Tally.from_responses([{"A": 2, "B": None}])


def test_mean_of_services_by_hand():
    result = combine({"X": X, "Y": Y}, AB, "mean_of_services")
    assert [r.ikm for r in result.layanan] == [Fraction(3), Fraction(8, 3)]
    overall = result.overall
    assert overall.nrr("A") == (4 + Fraction(4, 3)) / 2 == Fraction(8, 3)
    assert overall.nrr("B") == Fraction(2 + 4, 2)
    assert overall.ikm == (3 + Fraction(8, 3)) / 2 == Fraction(17, 6)
    assert overall.respondents == 4


def test_pooled_by_hand():
    overall = combine({"X": X, "Y": Y}, AB, "pooled").overall
    assert overall.nrr("A") == Fraction(4 + 1 + 1 + 2, 4)
    assert overall.nrr("B") == Fraction(2 + 4 + 4 + 4, 4)
    assert overall.ikm == (2 + Fraction(7, 2)) / 2 == Fraction(11, 4)
    assert overall.respondents == 4


def test_the_two_methods_differ_on_groups_of_different_size():
    means = combine({"X": X, "Y": Y}, AB, "mean_of_services").overall.ikm
    pooled = combine({"X": X, "Y": Y}, AB, "pooled").overall.ikm
    assert means != pooled


def test_default_method_is_mean_of_services():
    result = combine({"X": X, "Y": Y}, AB)
    assert result.method.combine == "mean_of_services"
    assert result.overall.ikm == Fraction(17, 6)


def test_layanan_missing_an_unsur_is_left_out_of_that_mean():
    overall = combine({"X": X, "Y": Y, "Z": Z}, AB, "mean_of_services").overall
    assert overall.nrr("A") == (4 + Fraction(4, 3) + 2) / 3
    assert overall.nrr("B") == Fraction(2 + 4, 2)  # Z is not a zero here
    assert overall.ikm == (3 + Fraction(8, 3) + 2) / 3


def test_layanan_without_any_answer_is_left_out_of_the_ikm_mean():
    empty = Tally.from_responses([{"A": None}])
    result = combine({"X": X, "E": empty}, AB)
    assert result.layanan[1].ikm is None
    assert result.overall.ikm == 3
    assert result.overall.respondents == 2


def test_no_layanan_at_all():
    for method in ("mean_of_services", "pooled"):
        result = combine({}, AB, method)
        assert result.layanan == ()
        assert result.overall.ikm is None


@pytest.mark.parametrize("scheme", ["equal", "0.111", "0.11"])
def test_mean_of_services_is_the_plain_mean_of_service_figures(scheme):
    q = DEFAULT_QUESTIONNAIRE.with_weights(scheme)
    tallies = {
        "KTP": Tally.from_responses([{"U1": 4, "U2": 3, "U9": 2}, {"U1": 3, "U2": None}]),
        "KK": Tally.from_responses([{"U1": 1, "U3": 4}]),
        "Akta": Tally.from_responses([{"U2": 2, "U3": 3}, {"U2": 4, "U3": 3}, {"U9": 1}]),
    }
    result = combine(tallies, q, "mean_of_services")
    services = [evaluate(t, q) for t in tallies.values()]
    assert result.overall.ikm == sum(s.ikm for s in services) / 3
    for code in q.codes:
        values = [s.nrr(code) for s in services if s.nrr(code) is not None]
        expected = sum(values) / len(values) if values else None
        assert result.overall.nrr(code) == expected


@pytest.mark.parametrize("scheme", ["equal", "0.111", "0.11"])
def test_pooled_is_evaluate_of_the_summed_tally(scheme):
    q = DEFAULT_QUESTIONNAIRE.with_weights(scheme)
    a = Tally.from_responses([{"U1": 4, "U2": 3}, {"U1": 2, "U5": 1}])
    b = Tally.from_responses([{"U1": 1, "U2": 1, "U9": 4}])
    overall = combine([("a", a), ("b", b)], q, "pooled", name="unit").overall
    expected = evaluate(a + b, q, "unit")
    assert overall.ikm == expected.ikm
    assert overall.nrr_map() == expected.nrr_map()
    assert overall.respondents == 3
    assert overall.name == "unit"


def test_layanan_rows_keep_names_and_order():
    result = combine([("Y", Y), ("X", X), ("Z", Z)], AB)
    assert [r.name for r in result.layanan] == ["Y", "X", "Z"]
    assert [r.respondents for r in result.layanan] == [3, 1, 1]


@pytest.mark.parametrize("method", ["mean", "Pooled", "", "weighted", None])
def test_unknown_method_raises(method):
    with pytest.raises(EngineError):
        combine({"X": X}, AB, method)


@pytest.mark.parametrize("combine_method", ["mean_of_services", "pooled"])
@pytest.mark.parametrize("scheme", ["equal", "0.111", "0.11"])
def test_method_is_recorded(scheme, combine_method):
    result = combine({"X": X}, AB.with_weights(scheme), combine_method)
    assert result.method.weights == scheme
    assert result.method.combine == combine_method
    assert result.method.as_dict() == {"weights": scheme, "combine": combine_method}


def test_mean_of_groups_directly():
    combined = mean_of_groups([evaluate(X, AB), evaluate(Y, AB), evaluate(Z, AB)], AB, "unit")
    assert combined.name == "unit"
    assert combined.respondents == 5
    assert combined.unsur["A"].answers == 5
    assert combined.unsur["B"].answers == 4
    assert combined.ikm == Fraction(23, 9)
