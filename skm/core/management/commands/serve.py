"""``skm serve``: the production server.

Applies migrations, collects static files (whitenoise serves them from ``var/static``), then
replaces this process with gunicorn running ``skm.wsgi:application``. Several app servers behind
a reverse proxy each run ``skm serve --host 0.0.0.0`` (see docs/deploy.md).

Extra gunicorn options come from gunicorn's own ``GUNICORN_CMD_ARGS`` environment variable,
e.g. ``GUNICORN_CMD_ARGS="--timeout 60 --forwarded-allow-ips=10.0.0.5"``.
"""

from __future__ import annotations

import os
import sys

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
DEFAULT_WORKERS = 2


def default_workers() -> int:
    text = os.environ.get("SKM_WORKERS", "").strip()
    if not text:
        return DEFAULT_WORKERS
    try:
        workers = int(text)
    except ValueError:
        raise CommandError(f"SKM_WORKERS harus bilangan bulat >= 1, bukan {text!r}.") from None
    if workers < 1:
        raise CommandError(f"SKM_WORKERS harus bilangan bulat >= 1, bukan {text!r}.")
    return workers


def bind_address(host: str, port: int) -> str:
    """``127.0.0.1:8000``; an IPv6 address is bracketed: ``[::1]:8000``."""
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"{host}:{port}"


def gunicorn_argv(host: str, port: int, workers: int) -> list[str]:
    """The command that replaces this process: gunicorn from this interpreter's environment."""
    return [
        sys.executable, "-m", "gunicorn", "skm.wsgi:application",
        "--config", "python:skm.core.gunicorn_hooks",
        # gunicorn's control socket (one per user, ~/.gunicorn/gunicorn.ctl) is not needed:
        # systemd or a signal stops and reloads skm, and two servers on one machine would
        # share the socket's path
        "--no-control-socket",
        "--bind", bind_address(host, port),
        "--workers", str(workers),
        "--access-logfile", "-",
        "--error-logfile", "-",
    ]


def exec_gunicorn(argv: list[str]) -> None:  # pragma: no cover - replaces the process
    os.execvp(argv[0], argv)


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise ValueError(text)
    return value


class Command(BaseCommand):
    help = "Jalankan server produksi (gunicorn) setelah migrate dan collectstatic."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=DEFAULT_HOST,
                            help=f"alamat yang didengarkan (default {DEFAULT_HOST})")
        parser.add_argument("--port", type=_positive, default=DEFAULT_PORT,
                            help=f"port (default {DEFAULT_PORT})")
        parser.add_argument("--workers", type=_positive, default=None,
                            help=f"jumlah proses gunicorn (default SKM_WORKERS atau "
                                 f"{DEFAULT_WORKERS})")

    def handle(self, *args, **options):
        workers = options["workers"] or default_workers()
        verbosity = options["verbosity"]
        self.stdout.write("Menerapkan migrasi basis data...")
        call_command("migrate", interactive=False, verbosity=max(verbosity - 1, 0))
        self.stdout.write("Mengumpulkan berkas statis...")
        call_command("collectstatic", interactive=False, verbosity=max(verbosity - 1, 0))
        argv = gunicorn_argv(options["host"], options["port"], workers)
        self.stdout.write(
            f"skm berjalan di http://{bind_address(options['host'], options['port'])}/ "
            f"({workers} worker gunicorn). Hentikan dengan Ctrl+C."
        )
        self.stdout.flush()
        sys.stderr.flush()
        exec_gunicorn(argv)
