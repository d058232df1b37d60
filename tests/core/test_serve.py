"""``skm serve``: migrate, collectstatic, then exec gunicorn with the right argv."""

import os
import subprocess
import sys
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from skm.core.management.commands import serve

pytestmark = pytest.mark.django_db


@pytest.fixture
def started(monkeypatch, settings, tmp_path):
    """The argv gunicorn would be exec'd with (nothing is exec'd)."""
    settings.STATIC_ROOT = tmp_path / "static"
    monkeypatch.delenv("SKM_WORKERS", raising=False)
    calls = []
    monkeypatch.setattr(serve, "exec_gunicorn", calls.append)
    return calls


def option(argv, name):
    return argv[argv.index(name) + 1]


def test_defaults(started, settings):
    call_command("serve", stdout=StringIO())
    [argv] = started
    assert argv[:4] == [sys.executable, "-m", "gunicorn", "skm.wsgi:application"]
    assert option(argv, "--bind") == "127.0.0.1:8000"
    assert option(argv, "--workers") == "2"
    assert "--no-control-socket" in argv
    # collectstatic ran: whitenoise serves from STATIC_ROOT
    assert (settings.STATIC_ROOT / "admin" / "css" / "base.css").exists()
    assert (settings.STATIC_ROOT / "skm" / "skm.css").exists()


def test_options(started):
    call_command("serve", "--host", "0.0.0.0", "--port", "9000", "--workers", "5",
                 stdout=StringIO())
    [argv] = started
    assert option(argv, "--bind") == "0.0.0.0:9000"
    assert option(argv, "--workers") == "5"


def test_workers_from_environment(started, monkeypatch):
    monkeypatch.setenv("SKM_WORKERS", "7")
    call_command("serve", stdout=StringIO())
    assert option(started[0], "--workers") == "7"
    monkeypatch.setenv("SKM_WORKERS", "lots")
    with pytest.raises(CommandError, match="SKM_WORKERS"):
        call_command("serve", stdout=StringIO())


def test_option_beats_environment(started, monkeypatch):
    monkeypatch.setenv("SKM_WORKERS", "7")
    call_command("serve", "--workers", "3", stdout=StringIO())
    assert option(started[0], "--workers") == "3"


def test_ipv6_host_is_bracketed():
    assert serve.bind_address("::1", 8000) == "[::1]:8000"
    assert serve.bind_address("[::]", 80) == "[::]:80"


def test_migrations_are_applied_first(started, monkeypatch):
    order = []
    real = serve.call_command
    monkeypatch.setattr(serve, "call_command",
                        lambda name, **kw: (order.append(name), real(name, **kw)))
    monkeypatch.setattr(serve, "exec_gunicorn", lambda argv: order.append("gunicorn"))
    call_command("serve", stdout=StringIO())
    assert order == ["migrate", "collectstatic", "gunicorn"]


def test_gunicorn_accepts_the_argv(tmp_path):
    """The real gunicorn parses the options and loads skm.wsgi:application."""
    argv = serve.gunicorn_argv("127.0.0.1", 8000, 2)
    env = {**os.environ, "SKM_VAR_DIR": str(tmp_path), "SKM_SECRET_KEY": "x" * 50}
    done = subprocess.run([*argv, "--check-config"], env=env, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr


def test_deploy_check_warns_without_secret_key_in_environment(settings):
    from skm.core.checks import secret_key_from_environment

    settings.SECRET_KEY_FROM_ENV = False
    assert [w.id for w in secret_key_from_environment(None)] == ["skm.W001"]
    settings.SECRET_KEY_FROM_ENV = True
    assert secret_key_from_environment(None) == []


def test_workers_load_the_hooks(started):
    """Each worker warms the region figures as it starts (skm.results.warmup)."""
    from skm.core import gunicorn_hooks

    call_command("serve", stdout=StringIO())
    assert option(started[0], "--config") == "python:skm.core.gunicorn_hooks"
    assert callable(gunicorn_hooks.post_worker_init)
