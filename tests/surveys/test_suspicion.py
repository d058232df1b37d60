"""Suspicious responses: flagged (burst, duplicate, straight), counted until rejected, reviewed
by operators with the summary table kept in step."""

from __future__ import annotations

import re
from types import ModuleType

import pytest
from django.test import Client
from django.urls import NoReverseMatch, include, path, reverse

from skm.results import summary
from skm.results.services import unit_results
from skm.surveys import protection, suspicion
from skm.surveys.models import Response
from skm.surveys.recording import Submission, current_period, record_response
from skm.surveys.review import decide
from skm.units.models import Unit
from tests.factories import make_region, make_user
from tests.surveys.conftest import START

pytestmark = pytest.mark.django_db

FORM = "/s/jatinegara-kaum/pkk/"


@pytest.fixture(autouse=True)
def form_rate(settings):
    settings.SKM_FORM_RATE_LIMIT = "0"


@pytest.fixture
def region():
    return make_region()


@pytest.fixture
def review_urls(settings):
    """The review pages, whether or not skm/urls.py includes them yet."""
    try:
        reverse("review", kwargs={"slug": "x", "period": "2024-S2"})
    except NoReverseMatch:
        from skm import urls

        module = ModuleType("review_test_urls")
        module.urlpatterns = [
            path("u/<slug:slug>/<str:period>/tinjauan/", include("skm.surveys.review_urls")),
            *urls.urlpatterns,
        ]
        settings.ROOT_URLCONF = module


def varied(i: int) -> dict:
    """Answers that are neither a straight line nor equal to those of another ``i``."""
    return {f"U{k}": str(((i + k) % 4) + 1) for k in range(1, 10)}


def post(client, data, url=FORM, **extra):
    html = client.get(url).content.decode()
    token = re.search(r'name="kirim_id" value="([^"]+)"', html).group(1)
    response = client.post(url, {**data, "kirim_id": token}, **extra)
    assert response.status_code == 303, response.content.decode()[:500]
    return Response.objects.unscoped().latest("pk")


def flags_of(responses) -> list[str]:
    return [Response.objects.unscoped().get(pk=r.pk).flags for r in responses]


# ---- flags -----------------------------------------------------------------------------------

def test_a_burst_from_one_address_flags_all_its_responses(client, region, now):
    sent = []
    for i in range(suspicion.BURST_COUNT):
        now[0] = START + i * 5
        sent.append(post(client, {**varied(i), "usia": str(20 + i)}))
    assert flags_of(sent) == [""] * suspicion.BURST_COUNT  # ten in a minute: a busy office
    now[0] = START + 55
    sent.append(post(client, {**varied(11), "usia": "40"}))
    assert flags_of(sent) == ["burst"] * (suspicion.BURST_COUNT + 1)
    assert {r.review for r in Response.objects.unscoped()} == {"pending"}
    # another address in the same minute is not part of it
    other = post(Client(REMOTE_ADDR="198.51.100.7"), varied(12))
    assert other.flags == ""
    # a minute after the burst, a new response from the address is not flagged
    now[0] = START + 55 + suspicion.BURST_SECONDS + 1
    assert post(client, varied(13)).flags == ""


def test_identical_responses_in_seconds_are_duplicates(client, region, now):
    data = {**varied(1), "jenis_kelamin": "L", "usia": "35", "pendidikan": "SMA",
            "saran": "Bagus"}
    first = post(client, data)
    now[0] += 10
    second = post(client, {**data, "saran": " bagus "})  # same text, other spacing and case
    assert flags_of([first, second]) == ["duplicate", "duplicate"]
    assert {r.review for r in Response.objects.unscoped()} == {"pending"}
    # the same content from another address, or long enough after, is a person
    now[0] += 1
    assert post(Client(REMOTE_ADDR="198.51.100.7"), data).flags == ""
    now[0] += suspicion.DUPLICATE_SECONDS + 1
    assert post(client, data).flags == ""
    # different answers, same profile, at once: not a duplicate
    assert post(client, {**data, "U1": "1" if data["U1"] != "1" else "2"}).flags == ""


def test_straight_lining_is_information_only(client, region, now):
    satisfied = post(client, {f"U{k}": "4" for k in range(1, 10)})
    assert satisfied.flags == "straight"
    assert satisfied.review == ""  # no review asked for: satisfied citizens answer all 4
    now[0] += 120
    assert post(client, varied(2)).flags == ""
    result = suspicion.flag_summary(region.kelurahan, current_period(region.kelurahan))
    assert (result["counted"], result["flagged"], result["pending"]) == (2, 1, 0)


def test_a_kiosk_device_bursts_on_its_own_not_with_its_office(region, now):
    operator = make_user("operator", region.kelurahan, "operator")
    device = Client()
    device.force_login(operator)
    cookie = device.get(FORM + "?kiosk=1").cookies[protection.KIOSK_COOKIE].value
    device.logout()
    device.cookies[protection.KIOSK_COOKIE] = cookie
    phones = Client()
    for i in range(suspicion.BURST_COUNT):
        post(phones, varied(i))
    kiosk = post(device, varied(20), url=FORM + "?kiosk=1")
    assert kiosk.flags == "" and kiosk.source == "kiosk"


def test_staff_channels_are_not_checked(region, now):
    """Paper and import pass no origin: an operator typing a stack of forms is no burst."""
    for _ in range(suspicion.BURST_COUNT + 2):
        response = record_response(region.kelurahan, region.layanan[0],
                                   Submission({f"U{k}": 4 for k in range(1, 10)}), source="paper")
        assert response.flags == ""


# ---- the share flagged, counted ---------------------------------------------------------------

def make_flagged(region, now):
    """Two duplicates (pending), one straight line, one plain response, in the current period."""
    origin = "ip:192.0.2.1"
    lay = region.layanan[0]
    twins = [record_response(region.kelurahan, lay, Submission(varied(1)), "online",
                             origin=origin) for _ in range(2)]
    now[0] += 120
    straight = record_response(region.kelurahan, lay, Submission({f"U{k}": 4 for k in
                                                                  range(1, 10)}),
                               "online", origin=origin)
    now[0] += 120
    plain = record_response(region.kelurahan, lay, Submission(varied(2)), "online", origin=origin)
    return twins, straight, plain


def test_flag_summary_counts_by_reason_and_status_in_two_queries(region, now,
                                                               django_assert_num_queries):
    twins, straight, plain = make_flagged(region, now)
    period = current_period(region.kelurahan)
    record_response(region.sibling, region.sibling_layanan[0], Submission(varied(3)), "online",
                    origin="ip:192.0.2.1")  # another unit: never counted here
    with django_assert_num_queries(2):  # the flagged rows, and the count of the summary table
        result = suspicion.flag_summary(region.kelurahan, period)
    assert result == {
        "total": 4, "flagged": 3, "counted": 4,
        "by_reason": {"burst": 0, "duplicate": 2, "straight": 1},
        "pending": 2, "accepted": 0, "rejected": 0, "flagged_counted": 3,
        "share": "75,0%", "rejected_share": "0,0%",
    }


def test_rejecting_takes_a_response_out_of_the_figures_and_the_summary_stays_in_step(
        region, now):
    twins, straight, plain = make_flagged(region, now)
    unit, period = region.kelurahan, current_period(region.kelurahan)
    operator = make_user("operator", unit, "operator")
    assert unit_results(unit, period).respondents == 4
    decide(twins[1], "rejected", operator)
    assert unit_results(unit, period).respondents == 3
    assert summary.differences(Unit.objects.all(), [period]) == {}
    decide(twins[1], "rejected", operator)  # twice: taken out once
    assert unit_results(unit, period).respondents == 3
    assert summary.differences(Unit.objects.all(), [period]) == {}
    result = suspicion.flag_summary(unit, period)
    assert (result["rejected"], result["counted"], result["flagged_counted"]) == (1, 3, 2)
    decide(twins[1], "accepted", operator)  # changed mind: counted again
    assert unit_results(unit, period).respondents == 4
    assert summary.differences(Unit.objects.all(), [period]) == {}
    kept = Response.objects.unscoped().get(pk=twins[1].pk)
    assert (kept.review, kept.reviewed_by, kept.reviewed_at is not None) == (
        "accepted", operator, True)


# ---- the review pages -------------------------------------------------------------------------

def review_url(region, period):
    return reverse("review", kwargs={"slug": region.kelurahan.slug, "period": period.code})


def decide_url(region, period, pk):
    return reverse("review-decide", kwargs={"slug": region.kelurahan.slug,
                                            "period": period.code, "pk": pk})


def test_an_operator_reviews_with_post_redirect_get(region, now, review_urls):
    twins, straight, plain = make_flagged(region, now)
    period = current_period(region.kelurahan)
    client = Client()
    client.force_login(make_user("operator", region.kelurahan, "operator"))
    page = client.get(review_url(region, period))
    html = page.content.decode()
    assert page.status_code == 200
    assert f'id="respons-{twins[0].pk}"' in html and f'id="respons-{twins[1].pk}"' in html
    assert f'id="respons-{straight.pk}"' not in html  # information only: not waiting
    assert f'id="respons-{plain.pk}"' not in html
    assert "3 dari 4 respons (75,0%) ditandai" in html
    everything = client.get(review_url(region, period) + "?status=flagged").content.decode()
    assert f'id="respons-{straight.pk}"' in everything

    response = client.post(decide_url(region, period, twins[0].pk), {"keputusan": "rejected"})
    assert response.status_code == 302
    assert response["Location"] == review_url(region, period)
    assert Response.objects.unscoped().get(pk=twins[0].pk).review == "rejected"
    assert unit_results(region.kelurahan, period).respondents == 3
    after = client.get(response["Location"]).content.decode()
    assert "ditolak dan tidak lagi dihitung" in after
    assert f'id="respons-{twins[0].pk}"' not in after  # no longer pending
    rejected = client.get(review_url(region, period) + "?status=rejected").content.decode()
    assert f'id="respons-{twins[0].pk}"' in rejected and "operator" in rejected

    bad = client.post(decide_url(region, period, twins[1].pk), {"keputusan": "hapus"})
    assert bad.status_code == 302
    assert Response.objects.unscoped().get(pk=twins[1].pk).review == "pending"
    # an unflagged response cannot be decided on here
    assert client.post(decide_url(region, period, plain.pk),
                       {"keputusan": "rejected"}).status_code == 404
    assert client.get(decide_url(region, period, twins[1].pk)).status_code == 405


@pytest.mark.parametrize("who", ["viewer", "supervisor", "outsider", "anonymous"])
def test_only_operators_of_the_unit_may_review(region, now, review_urls, who):
    twins, _straight, _plain = make_flagged(region, now)
    period = current_period(region.kelurahan)
    client = Client()
    if who == "viewer":
        client.force_login(make_user("viewer", region.kelurahan, "viewer"))
    elif who == "supervisor":
        client.force_login(make_user("supervisor", region.kecamatan, "supervisor"))
    elif who == "outsider":
        client.force_login(make_user("outsider", region.sibling, "operator"))
    page = client.get(review_url(region, period))
    decision = client.post(decide_url(region, period, twins[0].pk), {"keputusan": "rejected"})
    if who == "anonymous":
        assert page.status_code == 302 and "/masuk/" in page["Location"]
        assert decision.status_code == 302 and "/masuk/" in decision["Location"]
    else:
        assert (page.status_code, decision.status_code) == (404, 404)
    assert Response.objects.unscoped().get(pk=twins[0].pk).review == "pending"
    assert unit_results(region.kelurahan, period).respondents == 4


def test_the_decision_needs_csrf(region, now, review_urls):
    twins, _straight, _plain = make_flagged(region, now)
    period = current_period(region.kelurahan)
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user("operator", region.kelurahan, "operator"))
    response = client.post(decide_url(region, period, twins[0].pk), {"keputusan": "rejected"})
    assert response.status_code == 403
    assert Response.objects.unscoped().get(pk=twins[0].pk).review == "pending"
