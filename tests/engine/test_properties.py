"""Property tests: the engine against a naive computation written here from the raw responses.

The naive side never builds a tally: it walks the responses row by row with Fractions, as a
person filling in the regulation's processing form (p.29) would.
"""

from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from skm.engine import (
    DEFAULT_QUESTIONNAIRE,
    GroupSums,
    Questionnaire,
    Tally,
    Unsur,
    combine,
    evaluate,
    grade,
    mean_of_groups,
    mean_of_sums,
    round_half_up,
)

CODES = DEFAULT_QUESTIONNAIRE.codes
LEGACY = {"0.111": Fraction(111, 1000), "0.11": Fraction(11, 100)}
SETTINGS = settings(max_examples=200, deadline=None)

# ---------------------------------------------------------------- strategies

answer = st.sampled_from([None, 1, 2, 3, 4])
full_response = st.fixed_dictionaries({code: answer for code in CODES})
partial_response = st.dictionaries(st.sampled_from(CODES), answer, max_size=9)
response = st.one_of(full_response, partial_response)
responses = st.lists(response, max_size=25)
layanan_lists = st.lists(st.lists(response, max_size=12), min_size=1, max_size=4)


@st.composite
def questionnaires(draw):
    """The default unsur under a random scheme; custom weights are random and sum to 1."""
    scheme = draw(st.sampled_from(["equal", "0.111", "0.11", "custom"]))
    if scheme != "custom":
        return DEFAULT_QUESTIONNAIRE.with_weights(scheme)
    raw = draw(st.lists(st.integers(1, 20), min_size=len(CODES), max_size=len(CODES)))
    unsur = tuple(
        Unsur(u.code, u.name, u.question, u.labels, Fraction(k, sum(raw)))
        for u, k in zip(DEFAULT_QUESTIONNAIRE.unsur, raw, strict=True)
    )
    return Questionnaire("random-custom", unsur, "custom")


# ---------------------------------------------------------------- the naive computation


def naive_nrr(rows, code):
    answered = [row[code] for row in rows if row.get(code) is not None]
    return Fraction(sum(answered), len(answered)) if answered else None


def naive_ikm(rows, questionnaire):
    nrr = {u.code: naive_nrr(rows, u.code) for u in questionnaire.unsur}
    answered = [u for u in questionnaire.unsur if nrr[u.code] is not None]
    if not answered:
        return None
    if questionnaire.weights == "equal":
        return sum(nrr[u.code] for u in answered) / len(answered)
    if questionnaire.weights in LEGACY:
        return LEGACY[questionnaire.weights] * sum(nrr[u.code] for u in answered)
    weight_sum = sum(u.weight for u in answered)
    return sum(u.weight * nrr[u.code] for u in answered) / weight_sum


def naive_mean(values):
    present = [v for v in values if v is not None]
    return sum(present, Fraction(0)) / len(present) if present else None


def naive_grade(ikm):
    """Mutu from Tabel II, with konversi divided out in Decimal at 80 digits and quantized."""
    with localcontext() as ctx:
        ctx.prec = 80
        value = Decimal(ikm.numerator * 25) / Decimal(ikm.denominator)
        published = value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if published >= Decimal("88.31"):
        return "A"
    if published >= Decimal("76.61"):
        return "B"
    if published >= Decimal("65.00"):
        return "C"
    return "D"


# ---------------------------------------------------------------- properties


@SETTINGS
@given(rows=responses, questionnaire=questionnaires())
def test_evaluate_equals_naive(rows, questionnaire):
    result = evaluate(Tally.from_responses(rows), questionnaire)
    assert result.respondents == len(rows)
    for code in CODES:
        assert result.nrr(code) == naive_nrr(rows, code)
        assert result.unsur[code].answers == sum(row.get(code) is not None for row in rows)
    assert result.ikm == naive_ikm(rows, questionnaire)


@SETTINGS
@given(groups=layanan_lists, questionnaire=questionnaires())
def test_mean_of_services_equals_naive(groups, questionnaire):
    tallies = [(f"L{i}", Tally.from_responses(rows)) for i, rows in enumerate(groups)]
    overall = combine(tallies, questionnaire, "mean_of_services").overall
    for code in CODES:
        assert overall.nrr(code) == naive_mean(naive_nrr(rows, code) for rows in groups)
    assert overall.ikm == naive_mean(naive_ikm(rows, questionnaire) for rows in groups)
    assert overall.respondents == sum(len(rows) for rows in groups)


@SETTINGS
@given(groups=layanan_lists, questionnaire=questionnaires())
def test_pooled_equals_naive(groups, questionnaire):
    everyone = [row for rows in groups for row in rows]
    tallies = [(f"L{i}", Tally.from_responses(rows)) for i, rows in enumerate(groups)]
    overall = combine(tallies, questionnaire, "pooled").overall
    for code in CODES:
        assert overall.nrr(code) == naive_nrr(everyone, code)
    assert overall.ikm == naive_ikm(everyone, questionnaire)
    assert overall.respondents == len(everyone)


@SETTINGS
@given(rows=responses.filter(lambda rows: any(v is not None for r in rows for v in r.values())))
def test_grade_equals_naive_decimal_grade(rows):
    ikm = naive_ikm(rows, DEFAULT_QUESTIONNAIRE)
    assert evaluate(Tally.from_responses(rows)).grade.mutu == naive_grade(ikm)


offsets = st.one_of(
    st.fractions(min_value=Fraction(-1, 100), max_value=Fraction(1, 100), max_denominator=10**7),
    # far below what a float can tell apart from the boundary itself
    st.builds(lambda sign, k: Fraction(sign, 10**k), st.sampled_from([-1, 1]), st.integers(3, 30)),
)
near_boundary = st.builds(
    lambda base, offset: Fraction(base) + offset,
    st.sampled_from(["88.305", "88.31", "76.605", "76.61", "64.995", "65", "25", "100"]),
    offsets,
)


@SETTINGS
@given(nilai=st.one_of(
    st.fractions(min_value=1, max_value=4, max_denominator=10**6),
    near_boundary.map(lambda k: k / 25),
))
def test_grade_of_any_value_equals_naive_decimal_grade(nilai):
    assert grade(nilai * 25).mutu == naive_grade(nilai)


@SETTINGS
@given(
    value=st.fractions(min_value=-1000, max_value=1000, max_denominator=10**6),
    places=st.integers(0, 6),
)
def test_round_half_up_equals_decimal_quantize(value, places):
    with localcontext() as ctx:
        ctx.prec = 80
        exact = Decimal(value.numerator) / Decimal(value.denominator)
        expected = exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    assert round_half_up(value, places) == expected


@SETTINGS
@given(rows=responses, data=st.data())
def test_tally_of_a_split_merges_to_the_tally_of_the_whole(rows, data):
    cuts = sorted(data.draw(st.lists(st.integers(0, len(rows)), max_size=4)))
    bounds = [0, *cuts, len(rows)]
    parts = [Tally.from_responses(rows[a:b]) for a, b in zip(bounds, bounds[1:], strict=False)]
    assert Tally.merge(parts) == Tally.from_responses(rows)
    assert sum(parts) == Tally.from_responses(rows)


@SETTINGS
@given(rows=responses, questionnaire=questionnaires(), data=st.data())
def test_evaluate_is_independent_of_response_order(rows, questionnaire, data):
    shuffled = data.draw(st.permutations(rows))
    before = evaluate(Tally.from_responses(rows), questionnaire)
    after = evaluate(Tally.from_responses(shuffled), questionnaire)
    assert after.nrr_map() == before.nrr_map()
    assert after.ikm == before.ikm
    assert after.respondents == before.respondents


@SETTINGS
@given(groups=st.lists(st.lists(response, max_size=8), min_size=1, max_size=8),
       questionnaire=questionnaires(), data=st.data())
def test_sums_of_parts_give_the_mean_of_the_whole(groups, questionnaire, data):
    """A region from its units' sums (any split, nested) equals the mean over every layanan,
    and so the naive mean."""
    results = [evaluate(Tally.from_responses(rows), questionnaire, f"L{i}")
               for i, rows in enumerate(groups)]
    cuts = sorted(data.draw(st.lists(st.integers(0, len(results)), max_size=3)))
    bounds = [0, *cuts, len(results)]
    units = [GroupSums.add(GroupSums.of(r) for r in results[a:b])
             for a, b in zip(bounds, bounds[1:], strict=False)]
    nested = GroupSums.add([GroupSums.add(units[:1]), GroupSums.add(units[1:])])
    whole = mean_of_groups(results, questionnaire, "wilayah")
    assert mean_of_sums(nested, questionnaire, "wilayah") == whole
    for code in CODES:
        assert whole.nrr(code) == naive_mean(naive_nrr(rows, code) for rows in groups)
    assert whole.ikm == naive_mean(naive_ikm(rows, questionnaire) for rows in groups)
