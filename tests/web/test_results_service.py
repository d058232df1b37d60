"""The database aggregation feeds the engine the same tallies as counting rows would."""

import pytest

from skm.engine import DEFAULT_QUESTIONNAIRE, Tally, combine
from skm.results.services import subtree_results, trend, unit_results
from skm.units.models import Period, Population
from tests.factories import add_responses, make_region

pytestmark = pytest.mark.django_db

ROWS_PKK = [[4, 4, 3, 4, 4, 4, 4, 3, 4], [3, None, 4, 4, 4, 4, 4, 4, 4], [4] * 9]
ROWS_POSYANDU = [[2, 3, 3, 3, 3, 3, 3, 3, 3], [3, 3, None, 3, 3, 3, 3, 3, 3]]


def as_responses(rows):
    return [{f"U{i}": v for i, v in enumerate(row, start=1)} for row in rows]


@pytest.fixture
def region():
    region = make_region()
    pkk, posyandu = region.layanan
    add_responses(pkk, region.period, ROWS_PKK, gender="L", age=34, education="SMA")
    add_responses(posyandu, region.period, ROWS_POSYANDU, gender="P", age=61)
    add_responses(region.sibling_layanan[0], region.period, [[1] * 9])  # must not leak in
    return region


@pytest.mark.parametrize("method", ["mean_of_services", "pooled"])
def test_unit_results_equal_the_engine_on_raw_rows(region, method):
    results = unit_results(region.kelurahan, region.period, method)
    expected = combine(
        {"PKK": Tally.from_responses(as_responses(ROWS_PKK)),
         "Posyandu": Tally.from_responses(as_responses(ROWS_POSYANDU))},
        DEFAULT_QUESTIONNAIRE, method,
    )
    assert results.result.overall.ikm == expected.overall.ikm
    assert [g.nrr_map() for g in results.result.layanan] == [g.nrr_map() for g in expected.layanan]
    assert results.respondents == 5
    assert results.lowest[0].codes == expected_lowest(expected)


def expected_lowest(expected):
    values = expected.overall.nrr_map()
    low = min(values.values())
    return tuple(code for code, v in values.items() if v == low)


def test_profile_and_distribution(region):
    results = unit_results(region.kelurahan, region.period)
    assert results.profile["jenis_kelamin"] == {"L": 3, "P": 2}
    assert results.profile["usia"] == {"30-39": 3, "60+": 2}
    assert results.profile["pendidikan"] == {"SMA": 3, "Tidak diisi": 2}
    assert results.distribution()["U1"] == (0, 1, 2, 2)


def test_sample_check_against_population(region):
    Population.objects.create(layanan=region.layanan[0], period=region.period, size=10)
    results = unit_results(region.kelurahan, region.period)
    pkk = next(s for s in results.samples if s.layanan == region.layanan[0])
    assert (pkk.respondents, pkk.minimum, pkk.short) == (3, 10, True)
    posyandu = next(s for s in results.samples if s.layanan == region.layanan[1])
    assert posyandu.minimum is None and not posyandu.short


def test_year_includes_semester_responses(region):
    year = Period.get_or_create_code("2024")
    assert unit_results(region.kelurahan, year).respondents == 5


def test_subtree_rolls_up_from_tallies(region):
    found = subtree_results(region.kecamatan, region.period, "pooled")
    rows = {row.unit.slug: row for row in found}
    assert rows["rawamangun"].respondents == 1
    assert rows["pulo-gadung"].respondents == 6
    pooled_all = Tally.from_responses(as_responses(ROWS_PKK + ROWS_POSYANDU + [[1] * 9]))
    expected = combine({"all": pooled_all}, DEFAULT_QUESTIONNAIRE, "pooled").overall.ikm
    assert rows["pulo-gadung"].result.overall.ikm == expected
    assert rows["pulo-gadung"].depth == 0 and rows["rawamangun"].depth == 1


def test_trend_lists_earlier_periods(region):
    earlier = Period.get_or_create_code("2024-S1")
    add_responses(region.layanan[0], earlier, [[2] * 9])
    points = trend(region.kelurahan, region.period)
    assert [p.code for p, _ in points] == ["2024-S1", "2024-S2"]
    assert points[0][1].overall.ikm == 2
