"""The fast subtree aggregation gives exactly what combining every layanan below gives, and its
remembered figures follow every change of the summary table (new responses, corrections,
rejections, rebuilds).

The reference is the straightforward computation: for each unit, ``skm.engine.combine`` over
the tallies of every layanan of every unit below it, read from the responses themselves.
"""

import random

import pytest

from skm.engine import Tally, combine
from skm.results import services, summary
from skm.results.models import SummaryRevision, TallyCell
from skm.surveys.models import Response
from skm.units.models import Period
from tests.factories import add_responses, make_region, make_unit

pytestmark = pytest.mark.django_db


def random_rows(rng, n):
    return [[rng.choice([1, 2, 3, 4, None]) for _ in range(9)] for _ in range(n)]


@pytest.fixture
def region():
    """A kota with two kecamatan, five kelurahan, uneven layanan and random answers."""
    rng = random.Random(14)
    region = make_region()
    other = make_unit("Kecamatan Cakung", "cakung", "kecamatan", region.kota, ["Kantor"])
    make_unit("Kelurahan Cakung Barat", "cakung-barat", "kelurahan", other, ["PKK", "RPTRA"])
    make_unit("Kelurahan Pulo Gebang", "pulo-gebang", "kelurahan", other, ["PKK"])
    earlier = Period.get_or_create_code("2024-S1")
    for unit in region.kota.subtree():
        for layanan in unit.layanan.all():
            add_responses(layanan, region.period, random_rows(rng, rng.randint(1, 12)))
            add_responses(layanan, earlier, random_rows(rng, 3))
    return region


def reference(root, period, method="mean_of_services", weights=None):
    """{unit name: (respondents, CombinedResult or None)} by combine() over the responses."""
    questionnaire = services.questionnaire_of(root, weights)
    periods = list(period.contained_periods())
    units = list(root.subtree())
    out = {}
    for unit in units:
        below = [u for u in units if u.path.startswith(unit.path)]
        parts = {}
        for u in below:
            for layanan in u.layanan.all():
                responses = (Response.objects.unscoped()
                             .filter(layanan=layanan, period__in=periods)
                             .exclude(review=Response.Review.REJECTED))
                tally = Tally.from_responses(r.answers() for r in responses)
                if tally.respondents:
                    parts[f"{u.pk}:{layanan.pk}"] = tally
        result = combine(parts, questionnaire, method, name=unit.name) if parts else None
        out[unit.name] = (sum(t.respondents for t in parts.values()), result)
    return out


def assert_same(rows, expected):
    assert {row.unit.name for row in rows} == set(expected)
    for row in rows:
        respondents, result = expected[row.unit.name]
        assert row.respondents == respondents, row.unit.name
        if result is None:
            assert row.result is None, row.unit.name
            continue
        assert row.result.overall == result.overall, row.unit.name
        assert row.result.method == result.method
        assert sorted(row.result.layanan, key=lambda g: g.name) == sorted(
            result.layanan, key=lambda g: g.name)


@pytest.mark.parametrize("method", ["mean_of_services", "pooled"])
@pytest.mark.parametrize("weights", [None, "0.111"])
def test_every_unit_matches_combine_over_the_responses(region, method, weights):
    rows = services.subtree_results(region.kota, region.period, method, weights)
    assert_same(rows, reference(region.kota, region.period, method, weights))
    assert len(rows) == 7
    assert rows[0].result.overall.ikm is not None


def test_a_year_includes_its_semesters(region):
    year = Period.get_or_create_code("2024")
    expected = reference(region.kota, year)
    assert_same(services.subtree_results(region.kota, year), expected)
    semester = dict((r.unit.name, r.respondents)
                    for r in services.subtree_results(region.kota, region.period))
    assert expected[region.kota.name][0] == semester[region.kota.name] + 3 * 8  # 8 layanan


def test_a_new_response_is_seen_at_once(region):
    services.subtree_results(region.kota, region.period)  # remembered
    before = {r.unit.name: r.respondents for r in
              services.subtree_results(region.kota, region.period)}
    add_responses(region.sibling_layanan[0], region.period, [[1] * 9])
    rows = services.subtree_results(region.kota, region.period)
    assert_same(rows, reference(region.kota, region.period))
    after = {r.unit.name: r.respondents for r in rows}
    for name in (region.kota.name, region.kecamatan.name, region.sibling.name):
        assert after[name] == before[name] + 1
    assert after[region.kelurahan.name] == before[region.kelurahan.name]


def test_after_a_change_only_that_unit_is_read_again(region, cell_reads):
    """Each unit's tallies are remembered under its own revision tokens: a new response in one
    kelurahan makes the kota's figures read that kelurahan's cells, not the whole kota's."""
    services.subtree_results(region.kota, region.period)
    read = cell_reads
    read.clear()
    add_responses(region.sibling_layanan[0], region.period, [[2] * 9])
    rows = services.subtree_results(region.kota, region.period)
    assert read == [{region.sibling.pk}]
    assert_same(rows, reference(region.kota, region.period))
    services.subtree_results(region.kota, region.period, "pooled")  # same tallies, no read
    assert read == [{region.sibling.pk}]


def test_a_correction_that_keeps_every_total_is_seen(region):
    """A paper correction moves one answer: the cell totals and the respondent count stay the
    same, the figures do not."""
    services.subtree_results(region.kota, region.period)
    response = (Response.objects.unscoped()
                .filter(layanan=region.layanan[0], period=region.period).first())
    old = Response.objects.unscoped().get(pk=response.pk)
    response.a1 = 1 if response.a1 != 1 else 4
    response.save()
    summary.apply([old], sign=-1)
    summary.apply([response])
    rows = services.subtree_results(region.kota, region.period)
    assert_same(rows, reference(region.kota, region.period))


def test_a_rejected_response_leaves_the_figures(region):
    services.subtree_results(region.kota, region.period, "pooled")
    response = (Response.objects.unscoped()
                .filter(layanan=region.sibling_layanan[1], period=region.period).first())
    response.review = Response.Review.REJECTED
    response.save()
    summary.apply([response], sign=-1)
    rows = services.subtree_results(region.kota, region.period, "pooled")
    assert_same(rows, reference(region.kota, region.period, "pooled"))


def test_a_rebuild_is_seen(region):
    """Cells changed behind the summary module's back are wrong until a rebuild, which the
    remembered figures then follow."""
    kota_row = services.subtree_results(region.kota, region.period)[0]
    cell = TallyCell.objects.get(layanan=region.layanan[0], period=region.period,
                                 dimension="n")
    TallyCell.objects.filter(pk=cell.pk).update(count=cell.count + 5)
    units, periods = list(region.kota.subtree()), [region.period]
    summary.rebuild(units, periods)
    assert summary.differences(units, periods) == {}
    rows = services.subtree_results(region.kota, region.period)
    assert rows[0].respondents == kota_row.respondents
    assert_same(rows, reference(region.kota, region.period))


def test_every_write_changes_the_unit_token(region):
    def token():
        return SummaryRevision.objects.get(unit=region.sibling, period=region.period).token

    first = token()
    add_responses(region.sibling_layanan[0], region.period, [[2] * 9])
    second = token()
    assert second != first
    summary.rebuild([region.sibling], [region.period])
    assert token() != second
    other = SummaryRevision.objects.get(unit=region.kelurahan, period=region.period).token
    add_responses(region.sibling_layanan[0], region.period, [[3] * 9])
    assert SummaryRevision.objects.get(unit=region.kelurahan, period=region.period).token == other


def test_a_renamed_unit_is_shown_under_its_new_name(region):
    services.subtree_results(region.kota, region.period)
    region.sibling.name = "Kelurahan Rawamangun Baru"
    region.sibling.save()
    names = {r.unit.name for r in services.subtree_results(region.kota, region.period)}
    assert "Kelurahan Rawamangun Baru" in names
    assert "Kelurahan Rawamangun" not in names


def test_an_unknown_method_is_refused(region):
    from skm.engine import EngineError

    with pytest.raises(EngineError):
        services.subtree_results(region.kota, region.period, "median")


def test_grouped_tallies_match_the_responses(region):
    by_layanan = services.grouped_tallies(
        services._cells([region.kelurahan], region.period), ("layanan_id",))
    for layanan in region.layanan:
        responses = Response.objects.unscoped().filter(layanan=layanan, period=region.period)
        assert by_layanan[(layanan.pk,)] == Tally.from_responses(r.answers() for r in responses)
