"""RTL items planned in months instead of triwulan: the form, the columns of Tabel 2 (months,
quarters, and the mixed case), overdue flags and the history."""

import re
from datetime import date

import pytest
from django.urls import reverse

from skm.followup.models import FollowupChange, RtlItem
from skm.followup.services import (
    is_overdue,
    month_label,
    parse_month,
    planned_in,
    schedule_columns,
    schedule_text,
)
from tests.factories import PASSWORD, make_region, make_user

from .helpers import ekbang, seed_items

pytestmark = pytest.mark.django_db


@pytest.fixture
def region():
    return make_region()


@pytest.fixture
def operator(client, region):
    make_user("operator", region.kelurahan, "operator")
    assert client.login(username="operator", password=PASSWORD)
    return client


def rtl_url(region, name="rtl", **kwargs):
    return reverse(name, kwargs={"slug": region.kelurahan.slug, "period": region.period.code,
                                 **kwargs})


def item(region, quarters=(), months=(), order=0):
    return RtlItem.objects.create(
        unit=region.kelurahan, period=region.period, unsur_codes=["U1"], program="Apel",
        quarters=list(quarters), months=list(months), section=ekbang(region.kelurahan),
        order=order)


def data(section, prefix="baru", **overrides):
    values = {"unsur_codes": ["U1"], "program": "Apel pagi", "horizon": "pendek",
              "section": str(section.pk), "target_indicator": "", "order": ""}
    values.update(overrides)
    return {f"{prefix}-{k}": v for k, v in values.items()}


# ---- services -------------------------------------------------------------------------------

def test_columns_of_quarter_plans_are_the_quarters_used_in_time_order(region):
    items = [item(region, quarters=["2025-TW1"]), item(region, quarters=["2024-TW3", "2024-TW4"])]
    assert schedule_columns(items) == [
        {"code": "2024-TW3", "label": "TW III", "year": 2024},
        {"code": "2024-TW4", "label": "TW IV", "year": 2024},
        {"code": "2025-TW1", "label": "TW I", "year": 2025},
    ]
    assert [planned_in(items[1], c["code"]) for c in schedule_columns(items)] == [
        True, True, False]


def test_columns_of_month_plans_are_the_months_used(region):
    items = [item(region, months=["2024-09", "2025-01"]), item(region, months=["2024-11"])]
    assert schedule_columns(items) == [
        {"code": "2024-09", "label": "Sep", "year": 2024},
        {"code": "2024-11", "label": "Nov", "year": 2024},
        {"code": "2025-01", "label": "Jan", "year": 2025},
    ]
    assert [planned_in(items[0], c["code"]) for c in schedule_columns(items)] == [
        True, False, True]


def test_mixed_plans_show_quarters_and_tick_a_month_in_its_quarter(region):
    by_quarter = item(region, quarters=["2024-TW3"])
    by_month = item(region, months=["2024-11", "2024-12"])
    columns = schedule_columns([by_quarter, by_month])
    assert [c["code"] for c in columns] == ["2024-TW3", "2024-TW4"]
    assert [planned_in(by_quarter, c["code"]) for c in columns] == [True, False]
    assert [planned_in(by_month, c["code"]) for c in columns] == [False, True]
    # a month column asked of a quarter item: ticked when the month lies in the quarter
    assert planned_in(by_quarter, "2024-08") and not planned_in(by_quarter, "2024-10")


def test_no_items_no_columns():
    assert schedule_columns([]) == []


def test_month_helpers():
    assert parse_month("2024-09") == (2024, 9)
    assert month_label("2024-09") == "September 2024"
    for bad in ("2024-13", "2024-9", "24-09", ""):
        with pytest.raises(ValueError):
            parse_month(bad)


def test_overdue_after_the_last_day_of_the_last_planned_month(region):
    planned = item(region, months=["2024-08", "2024-10"])
    assert planned.last_planned_end() == date(2024, 10, 31)
    assert not is_overdue(planned, date(2024, 10, 31))
    assert is_overdue(planned, date(2024, 11, 1))
    assert schedule_text(planned) == "Agustus 2024, Oktober 2024"


def test_a_month_plan_is_due_earlier_than_its_quarter(region):
    september = item(region, months=["2024-08"])
    quarter = item(region, quarters=["2024-TW3"])
    day = date(2024, 9, 15)
    assert is_overdue(september, day) and not is_overdue(quarter, day)


# ---- the form and the page ------------------------------------------------------------------

def test_operator_plans_an_item_in_months(operator, region):
    section = ekbang(region.kelurahan)
    response = operator.post(rtl_url(region, "rtl-add"),
                             data(section, months=["2025-01", "2024-09"]))
    assert response.status_code == 302
    saved = RtlItem.objects.get()
    assert (saved.months, saved.quarters) == (["2024-09", "2025-01"], [])
    change = FollowupChange.objects.get()
    assert change.changes["months"] == [None, ["2024-09", "2025-01"]]
    html = operator.get(rtl_url(region)).content.decode()
    table = html[html.index('id="tabel-rtl"'):html.index("</table>", html.index('id="tabel-rtl"'))]
    assert re.findall(r'<th scope="col" data-month="([^"]+)">([^<]+)</th>', table) == [
        ("2024-09", "Sep 2024"), ("2025-01", "Jan 2025")]
    assert len(re.findall(r'<td class="tick" data-month="[^"]+">✓', table)) == 2
    assert "September 2024, Januari 2025" in html


def test_the_form_offers_the_24_months_of_two_years(operator, region):
    ekbang(region.kelurahan)
    html = operator.get(rtl_url(region)).content.decode()
    form = html[html.index('id="tambah"'):]
    assert re.findall(r'name="baru-months" value="([^"]+)"', form) == [
        f"{y}-{m:02d}" for y in (2024, 2025) for m in range(1, 13)]


def nothing_saved():
    return not RtlItem.objects.exists() and not FollowupChange.objects.exists()


def test_both_kinds_in_one_item_are_refused(operator, region):
    section = ekbang(region.kelurahan)
    html = operator.post(rtl_url(region, "rtl-add"),
                         data(section, quarters=["2024-TW3"], months=["2024-09"])
                         ).content.decode()
    assert "Pilih triwulan atau bulan, tidak keduanya" in html
    assert nothing_saved()


def test_neither_kind_is_refused(operator, region):
    html = operator.post(rtl_url(region, "rtl-add"), data(ekbang(region.kelurahan))
                         ).content.decode()
    assert "Pilih sedikitnya satu triwulan atau satu bulan." in html
    assert nothing_saved()


def test_a_month_outside_the_two_years_is_refused(operator, region):
    html = operator.post(rtl_url(region, "rtl-add"),
                         data(ekbang(region.kelurahan), months=["2026-01"])).content.decode()
    assert "2026-01" in html and 'class="error"' in html
    assert nothing_saved()


def test_switching_an_item_from_quarters_to_months_is_recorded(operator, region):
    first = seed_items(region, realised=0)[0]
    section = ekbang(region.kelurahan)
    response = operator.post(rtl_url(region, "rtl-edit", pk=first.pk),
                             data(section, prefix=f"rtl-{first.pk}", unsur_codes=["U1"],
                                  program=first.program, months=["2024-09"], order="0"))
    assert response.status_code == 302
    first.refresh_from_db()
    assert (first.quarters, first.months) == ([], ["2024-09"])
    change = FollowupChange.objects.get()
    assert change.changes["quarters"] == [["2024-TW3"], []]
    assert change.changes["months"] == [[], ["2024-09"]]
    # the two other items keep their quarters: Tabel 2 shows quarters, September in TW III
    html = operator.get(rtl_url(region)).content.decode()
    table = html[html.index('id="tabel-rtl"'):html.index("</table>", html.index('id="tabel-rtl"'))]
    assert re.findall(r'<th scope="col" data-quarter="([^"]+)">', table) == ["2024-TW3"]
    assert len(re.findall(r'<td class="tick" data-quarter="2024-TW3">✓', table)) == 3
