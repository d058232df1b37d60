import csv
from pathlib import Path

import pytest

from skm.cli import main

U = [f"U{i}" for i in range(1, 10)]


def write_csv(path: Path, header, rows, delimiter=";", encoding="utf-8-sig"):
    with open(path, "w", newline="", encoding=encoding) as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Tests create many users; a slow password hasher only slows them down."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session", autouse=True)
def _media_root(tmp_path_factory):
    """Uploaded files (evidence photos, the demo's too) go to a temporary folder, never var/."""
    from django.test import override_settings

    with override_settings(MEDIA_ROOT=str(tmp_path_factory.mktemp("media"))):
        yield


@pytest.fixture(autouse=True)
def _fresh_cache(settings):
    """Rate limits and form tokens live in the cache: a fresh memory cache per test, never the
    file cache in var/ that other runs share."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                   "LOCATION": "skm-tests"}}
    from django.core.cache import cache

    from skm.core import configcache

    cache.clear()
    configcache.forget_here()  # and no request left open by a test that failed inside one
    configcache._request_finished()


@pytest.fixture
def run_skm(capsys, monkeypatch):
    """Run the skm CLI in-process: returns (exit code, stdout, stderr).

    A Django command run from the command line closes every database connection when it ends;
    in-process that would close the test's own connection (on PostgreSQL: "the connection is
    closed" at the test's next query), so here it is left open.
    """
    from django.db import connections

    monkeypatch.setattr(connections, "close_all", lambda: None)

    def run(*args):
        try:
            code = main([str(a) for a in args])
        except SystemExit as exc:  # a Django command's error exits, as in a shell
            code = exc.code
        out, err = capsys.readouterr()
        return code, out, err

    return run
