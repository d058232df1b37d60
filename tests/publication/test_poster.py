"""``/p/<unit>/<period>/poster.pdf``: the registered poster builder, for published periods only;
404 while no poster builder is registered."""

from __future__ import annotations

import pytest
from django.test import Client

from skm.publication import services
from skm.reports import registry
from skm.results.services import unit_results

from .helpers import published_region

pytestmark = pytest.mark.django_db

URL = "/p/jatinegara-kaum/{}/poster.pdf"


@pytest.fixture
def region():
    region = published_region()
    services.publish(region.kelurahan, region.period, None,
                     unit_results(region.kelurahan, region.period).respondents)
    return region


@pytest.fixture
def throwaway_poster(monkeypatch):
    """A stand-in poster builder that records what it was asked for."""
    calls = []

    def build(unit, period):
        calls.append((unit.slug, period.code))
        return f"%PDF-1.7 poster {unit.slug} {period.code}".encode()

    kind = registry.ReportKind("poster", "Poster", {"pdf": build})
    monkeypatch.setitem(registry.REPORTS, "poster", kind)
    return calls


def test_published_period_serves_the_registered_builder(region, throwaway_poster):
    response = Client().get(URL.format("2024-S2"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content == b"%PDF-1.7 poster jatinegara-kaum 2024-S2"
    assert "laporan-poster-jatinegara-kaum-2024-S2.pdf" in response["Content-Disposition"]
    assert "public" in response["Cache-Control"] and not response.cookies
    assert throwaway_poster == [("jatinegara-kaum", "2024-S2")]
    # the page links it
    assert URL.format("2024-S2") in Client().get("/p/jatinegara-kaum/").content.decode()


def test_unpublished_or_withdrawn_period_is_404_and_the_builder_is_not_called(
        region, throwaway_poster):
    assert Client().get(URL.format("2024-S1")).status_code == 404
    assert Client().get("/p/rawamangun/2024-S2/poster.pdf").status_code == 404
    services.withdraw(region.kelurahan, region.period, None)
    assert Client().get(URL.format("2024-S2")).status_code == 404
    assert throwaway_poster == []


def test_no_poster_builder_is_404_and_no_link(region, monkeypatch):
    monkeypatch.delitem(registry.REPORTS, "poster", raising=False)
    assert Client().get(URL.format("2024-S2")).status_code == 404
    assert "poster.pdf" not in Client().get("/p/jatinegara-kaum/").content.decode()


def test_the_poster_registered_today(region):
    """Whatever skm.reports registers right now: a real PDF when the poster kind exists,
    404 otherwise; either way an unpublished period is 404."""
    response = Client().get(URL.format("2024-S2"))
    kind = registry.REPORTS.get("poster")
    if kind is not None and "pdf" in kind.builders:
        assert response.status_code == 200
        assert response.content.startswith(b"%PDF")
    else:
        assert response.status_code == 404
    assert Client().get(URL.format("2024-S1")).status_code == 404
