import pytest

from skm.surveys import protection

#: the start of a minute (1_800_000_000 = 30_000_000 * 60): where the tests' clock begins
START = 1_800_000_000.0


@pytest.fixture
def now(monkeypatch):
    """The clock of skm.surveys.protection: ``now[0]`` seconds since the epoch; tests move it.
    (Each test already has a fresh memory cache: tests/conftest.py.)"""
    value = [START]
    monkeypatch.setattr(protection, "clock", lambda: value[0])
    return value
