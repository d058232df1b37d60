import pytest


@pytest.fixture(autouse=True)
def _evidence_under_tmp(settings, tmp_path):
    """Evidence files of the audited follow-up models go under tmp."""
    settings.MEDIA_ROOT = tmp_path / "media"
