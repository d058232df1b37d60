"""Completion, overdue items, the subtree roll-up and the proposed priorities (services)."""

from datetime import date
from fractions import Fraction

import pytest

from skm.followup.models import Realisasi, RtlItem
from skm.followup.services import (
    completion,
    is_overdue,
    percent_text,
    proposed_priorities,
    subtree_completion,
    tanggal_id,
)
from skm.formatting import decimal_id
from tests.factories import add_responses, make_region

from .helpers import ekbang, seed_items

pytestmark = pytest.mark.django_db


@pytest.fixture
def region():
    return make_region()


def test_the_seed_concludes_three_of_three_followed_up(region):
    seed_items(region)
    assert completion(region.kelurahan, region.period) == (3, 3, Fraction(100))
    assert percent_text(Fraction(100)) == "100%"


def test_one_of_three_is_a_third_exactly_and_shown_as_33_33(region):
    seed_items(region, realised=1)
    done, planned, percent = completion(region.kelurahan, region.period)
    assert (done, planned, percent) == (1, 3, Fraction(100, 3))
    assert percent_text(percent) == "33,33%"
    assert percent_text(Fraction(200, 3)) == "66,67%"  # half-up: 66,666... -> 66,67


def test_a_belum_realisasi_does_not_count(region):
    items = seed_items(region, realised=0)
    Realisasi.objects.create(item=items[0], status="belum")
    assert completion(region.kelurahan, region.period) == (0, 3, Fraction(0))


def test_no_items_no_percentage(region):
    assert completion(region.kelurahan, region.period) == (0, 0, None)
    assert percent_text(None) == "-"


def test_overdue_after_the_last_day_of_the_last_planned_quarter(region):
    item = seed_items(region, realised=0)[0]  # 2024-TW3 ends on 30 September 2024
    assert is_overdue(item, date(2024, 10, 1))
    assert not is_overdue(item, date(2024, 9, 30))


def test_an_item_running_into_the_next_year_is_due_at_its_last_quarter(region):
    item = RtlItem.objects.create(
        unit=region.kelurahan, period=region.period, unsur_codes=["U1"], program="Lanjutan",
        quarters=["2025-TW1", "2024-TW4"], horizon="pendek", section=ekbang(region.kelurahan),
    )
    assert not is_overdue(item, date(2025, 1, 15))
    assert not is_overdue(item, date(2025, 3, 31))
    assert is_overdue(item, date(2025, 4, 1))


def test_a_realised_item_is_never_overdue(region):
    item = seed_items(region, realised=1)[0]
    assert not is_overdue(item, date(2030, 1, 1))


def test_subtree_completion_per_unit(region):
    seed_items(region, realised=1)
    RtlItem.objects.create(
        unit=region.sibling, period=region.period, unsur_codes=["U5"], program="Lain",
        quarters=["2025-TW2"], horizon="menengah", section=ekbang(region.sibling),
    )
    rows = {r.unit.slug: (r.done, r.planned, r.overdue)
            for r in subtree_completion(region.kecamatan, region.period, date(2024, 10, 1))}
    assert rows == {
        "pulo-gadung": (0, 0, 0),
        "jatinegara-kaum": (1, 3, 2),  # two unrealised items of TW III are overdue on 1 Oct
        "rawamangun": (0, 1, 0),
    }


def test_indonesian_dates():
    assert tanggal_id(date(2024, 9, 17)) == "17 September 2024"
    assert tanggal_id(date(2025, 1, 1)) == "1 Januari 2025"


def test_proposed_priorities_use_unrounded_values_and_keep_ties(region):
    # 200 respondents: U1 gets a single 3, everything else is 4. U1's NRR is 799/200 = 3,995,
    # which rounds to 4,00 like every other unsur, yet it is the lowest.
    pkk = region.layanan[0]
    add_responses(pkk, region.period, [[3] + [4] * 8] + [[4] * 9] * 199)

    lowest = proposed_priorities(region.kelurahan, region.period)
    assert [p.codes for p in lowest] == [("U1",)]
    assert lowest[0].nrr == Fraction(799, 200)
    assert decimal_id(lowest[0].nrr, 2) == decimal_id(Fraction(4), 2) == "4,00"

    two = proposed_priorities(region.kelurahan, region.period, lowest=2)
    assert [p.codes for p in two] == [("U1",), tuple(f"U{i}" for i in range(2, 10))]
    assert two[1].tied and two[1].nrr == 4

    assert [p.codes for p in proposed_priorities(region.kelurahan, region.period,
                                                 below="4")] == [("U1",)]
    assert proposed_priorities(region.kelurahan, region.period, below="3,99") == []
