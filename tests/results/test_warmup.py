"""skm.results.warmup: a new worker computes the latest periods' region figures before the
first visitor asks for them."""

import logging

import pytest

from skm.results import services, warmup
from skm.units.models import Period
from tests.factories import add_responses, make_region

pytestmark = pytest.mark.django_db


@pytest.fixture
def region():
    region = make_region()
    for code in ("2023-S2", "2024-S1"):
        add_responses(region.layanan[0], Period.get_or_create_code(code), [[3] * 9])
    add_responses(region.sibling_layanan[0], region.period, [[4] * 9, [2] * 9])  # 2024-S2
    return region


def test_the_latest_periods_of_every_top_level_unit_are_warmed(region, cell_reads):
    reads = cell_reads
    services._MEMO.clear()
    assert warmup.warm(2) == [("jakarta-timur", "2024-S2"), ("jakarta-timur", "2024-S1")]
    assert reads  # the warm-up read the cells ...
    reads.clear()
    for unit in (region.kota, region.kecamatan, region.sibling):
        services.subtree_results(unit, region.period)
    services.subtree_results(region.kota, Period.objects.get(code="2024-S1"))
    assert reads == []  # ... so the pages after it do not
    services.subtree_results(region.kota, Period.objects.get(code="2023-S2"))
    assert reads  # an older period was not warmed


def test_the_number_of_periods_comes_from_the_environment(region, monkeypatch):
    monkeypatch.setenv("SKM_WARM_PERIODS", "1")
    assert warmup.warm() == [("jakarta-timur", "2024-S2")]
    monkeypatch.setenv("SKM_WARM_PERIODS", "0")
    assert warmup.warm() == []
    assert warmup.start_in_background() is None
    monkeypatch.setenv("SKM_WARM_PERIODS", "banyak")
    assert warmup.periods_to_warm() == warmup.DEFAULT_PERIODS


class Connection:
    closed = False

    def close(self):
        self.closed = True


def test_the_background_thread_warms_and_closes_its_connection(monkeypatch):
    calls = []
    own = Connection()
    monkeypatch.setattr(warmup, "warm", lambda: calls.append("warm") or [])
    monkeypatch.setattr(warmup, "connection", own)
    monkeypatch.setattr(warmup.gc, "freeze", lambda: calls.append("freeze"))
    monkeypatch.delenv("SKM_WARM_PERIODS", raising=False)
    thread = warmup.start_in_background()
    thread.join(10)
    assert calls == ["warm", "freeze"] and own.closed and thread.daemon


def test_a_failed_warm_up_is_logged_not_raised(monkeypatch, caplog):
    def broken():
        raise RuntimeError("database away")

    monkeypatch.setattr(warmup, "warm", broken)
    monkeypatch.setattr(warmup, "connection", Connection())
    monkeypatch.setattr(warmup.gc, "freeze", lambda: None)
    with caplog.at_level(logging.ERROR, logger="skm.results.warmup"):
        thread = warmup.start_in_background()
        thread.join(10)
    assert "warming the region figures failed" in caplog.text
