"""Publishing and withdrawing a period: who may, POST only with CSRF, history kept."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.utils import timezone

from skm.followup.services import tanggal_id
from skm.publication.models import Publication
from skm.units.models import Period

from .helpers import (
    live_count,
    login,
    publish_url,
    published_region,
    results_url,
    withdraw_url,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def region():
    return published_region()


def test_operator_publishes_own_unit_and_returns_to_the_results_page(region):
    client = login("op", region.kelurahan, "operator")
    response = client.post(publish_url(region.kelurahan, region.period))
    assert response.status_code == 302
    assert response["Location"] == results_url(region.kelurahan, region.period)
    pub = Publication.objects.within([region.kelurahan]).get()
    assert pub.period == region.period and pub.published_by.username == "op"
    assert pub.withdrawn_at is None
    # publishing again changes nothing
    client.post(publish_url(region.kelurahan, region.period))
    assert Publication.objects.within([region.kelurahan]).count() == 1


def test_admin_may_publish(region):
    client = login("root", superuser=True)
    assert client.post(publish_url(region.kelurahan, region.period)).status_code == 302
    assert live_count(region.kelurahan, region.period) == 1


@pytest.mark.parametrize("who", ["viewer", "outsider", "supervisor"])
def test_viewer_outsider_and_supervisor_get_404_and_nothing_is_written(region, who):
    """``can_manage``: operators of the unit and admins only. A supervisor reads its subtree
    but does not manage it (skm.core.access), so it cannot publish either."""
    unit, role = {
        "viewer": (region.kelurahan, "viewer"),
        "outsider": (region.sibling, "operator"),
        "supervisor": (region.kecamatan, "supervisor"),
    }[who]
    client = login(who, unit, role)
    assert client.post(publish_url(region.kelurahan, region.period)).status_code == 404
    assert live_count(region.kelurahan) == 0
    Publication.objects.create(unit=region.kelurahan, period=region.period,
                               published_at="2024-12-20T10:00:00+07:00")
    assert client.post(withdraw_url(region.kelurahan, region.period)).status_code == 404
    assert live_count(region.kelurahan, region.period) == 1


def test_anonymous_is_sent_to_login(region):
    for url in (publish_url(region.kelurahan, region.period),
                withdraw_url(region.kelurahan, region.period)):
        response = Client().post(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/masuk/?next=")
    assert live_count(region.kelurahan) == 0


def test_get_is_refused(region):
    client = login("op", region.kelurahan, "operator")
    for url in (publish_url(region.kelurahan, region.period),
                withdraw_url(region.kelurahan, region.period)):
        assert client.get(url).status_code == 405
    assert live_count(region.kelurahan) == 0


def test_post_without_csrf_token_is_refused_and_with_the_pages_token_accepted(region):
    client = login("op", region.kelurahan, "operator", enforce_csrf_checks=True)
    url = publish_url(region.kelurahan, region.period)
    assert client.post(url).status_code == 403
    assert live_count(region.kelurahan) == 0

    page = client.get(results_url(region.kelurahan, region.period)).content.decode()
    form = re.search(rf'<form method="post" action="{re.escape(url)}">.*?</form>', page, re.S)
    assert form, "the results page carries the publish form"
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.group(0)).group(1)
    assert client.post(url, {"csrfmiddlewaretoken": token}).status_code == 302
    assert live_count(region.kelurahan, region.period) == 1


def test_a_period_without_respondents_cannot_be_published(region):
    client = login("op", region.kelurahan, "operator")
    empty = Period.get_or_create_code("2023-S2")
    response = client.post(publish_url(region.kelurahan, empty), follow=True)
    assert "belum memiliki responden" in response.content.decode()
    assert live_count(region.kelurahan) == 0


def test_withdraw_keeps_history_and_publishing_again_adds_a_row(region):
    client = login("op", region.kelurahan, "operator")
    client.post(publish_url(region.kelurahan, region.period))
    response = client.post(withdraw_url(region.kelurahan, region.period))
    assert response.status_code == 302
    assert response["Location"] == results_url(region.kelurahan, region.period)
    row = Publication.objects.within([region.kelurahan]).get()
    assert row.withdrawn_at is not None and row.withdrawn_by.username == "op"
    assert live_count(region.kelurahan) == 0

    # withdrawing what is not public is refused with a message, nothing changes
    response = client.post(withdraw_url(region.kelurahan, region.period), follow=True)
    assert "tidak sedang dipublikasikan" in response.content.decode()

    client.post(publish_url(region.kelurahan, region.period))
    assert Publication.objects.within([region.kelurahan]).count() == 2
    assert live_count(region.kelurahan, region.period) == 1


def test_results_page_shows_badge_button_and_public_link(region):
    operator = login("op", region.kelurahan, "operator")
    page = operator.get(results_url(region.kelurahan, region.period)).content.decode()
    assert "Belum dipublikasikan" in page
    assert f'action="{publish_url(region.kelurahan, region.period)}"' in page

    viewer = login("viewer", region.kelurahan, "viewer")
    page = viewer.get(results_url(region.kelurahan, region.period)).content.decode()
    assert "Belum dipublikasikan" in page
    assert "/p/kelola/" not in page  # no button for a reader

    operator.post(publish_url(region.kelurahan, region.period))
    pub = Publication.objects.within([region.kelurahan]).get()
    page = operator.get(results_url(region.kelurahan, region.period)).content.decode()
    assert f"Dipublikasikan sejak {tanggal_id(timezone.localdate(pub.published_at))}" in page
    assert f'href="/p/{region.kelurahan.slug}/{region.period.code}/"' in page
    assert f'action="{withdraw_url(region.kelurahan, region.period)}"' in page
    assert f'action="{publish_url(region.kelurahan, region.period)}"' not in page


def test_unknown_unit_and_bad_period_are_404(region):
    client = login("op", region.kelurahan, "operator")
    response = client.post("/p/kelola/tidak-ada/2024-S2/publish")
    assert response.status_code == 404
    assert client.post("/p/kelola/jatinegara-kaum/2024-S9/publish").status_code == 404


def test_admin_lists_the_history_read_only(region):
    client = login("root", superuser=True)
    client.post(publish_url(region.kelurahan, region.period))
    client.post(withdraw_url(region.kelurahan, region.period))
    page = client.get("/admin/publication/publication/")
    assert page.status_code == 200
    assert region.kelurahan.name in page.content.decode()
    assert client.get("/admin/publication/publication/add/").status_code == 403
