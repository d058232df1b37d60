"""``skm demo``: build the demo database (see :mod:`skm.core.demo`) and serve it.

    skm demo                 # migrate, (re)build the demo data, then ``skm serve``
    skm demo --no-serve      # only build it
    skm demo --port 8080
"""

from __future__ import annotations

import os

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from skm.core.demo import KELURAHAN, PERIODS, DemoRefused, build_demo
from skm.units.models import Membership

from .serve import DEFAULT_HOST, DEFAULT_PORT, _positive

ROLE_NAMES = {
    "admin": "admin",
    Membership.Role.SUPERVISOR: "supervisor",
    Membership.Role.OPERATOR: "operator",
    Membership.Role.VIEWER: "viewer",
}


def _database_label() -> str:
    db = settings.DATABASES["default"]
    if connection.vendor == "sqlite":
        return f"SQLite {db['NAME']}"
    return f"{connection.vendor} {db.get('HOST') or 'localhost'}/{db['NAME']}"


class Command(BaseCommand):
    help = "Bangun basis data demo (Kelurahan Jatinegara Kaum dan sekitarnya) lalu jalankan."

    def add_arguments(self, parser):
        parser.add_argument("--no-serve", action="store_true",
                            help="hanya bangun data demo, jangan jalankan server")
        parser.add_argument("--host", default=DEFAULT_HOST,
                            help=f"alamat server (default {DEFAULT_HOST})")
        parser.add_argument("--port", type=_positive, default=DEFAULT_PORT,
                            help=f"port server (default {DEFAULT_PORT})")
        parser.add_argument("--force", action="store_true",
                            help="bangun walaupun basis data berisi data selain demo (unit "
                                 "demo dan semua di bawahnya dibangun ulang; data lain "
                                 "dibiarkan)")

    def handle(self, *args, **options):
        verbosity = options["verbosity"]
        self.stdout.write(f"Basis data: {_database_label()}")
        call_command("migrate", interactive=False, verbosity=max(verbosity - 1, 0))
        try:
            summary = build_demo(force=options["force"])
        except DemoRefused as exc:
            raise CommandError(f"{exc} Atau tambahkan --force.") from None

        kelurahan = KELURAHAN[1]
        base = f"http://{options['host']}:{options['port']}"
        out = self.stdout
        parts = "; ".join(f"{slug} {period}: {n}"
                          for (slug, period), n in sorted(summary.responses.items()))
        out.write(self.style.SUCCESS(
            f"Data demo siap: {len(summary.units)} unit, {summary.total} respons ({parts})."
        ))
        out.write("")
        out.write(f"Alamat:       {base}/")
        out.write(f"Formulir:     {base}/s/{kelurahan}/")
        out.write(f"Hasil:        {base}/u/{kelurahan}/{PERIODS[-1]}/  "
                  "(Semester II 2024 = Tabel 1 laporan: 98,72)")
        out.write(f"Masuk:        {base}/masuk/")
        out.write("")
        width = max(len(u.username) for u in summary.users)
        out.write("Pengguna demo:")
        for user in summary.users:
            out.write(f"  {ROLE_NAMES[user.role]:<10} {user.username:<{width}}  "
                      f"kata sandi: {user.password:<20} ({user.description})")
        out.write("")
        out.write(self.style.WARNING(
            "PERINGATAN: kata sandi di atas hanya untuk demo dan tercetak di layar. Jangan "
            "pernah memakai basis data demo atau kata sandi ini di server sungguhan."
        ))
        if options["no_serve"]:
            return
        out.write("")
        # served on http://127.0.0.1: no redirect to https, no Secure-only cookies
        os.environ.setdefault("SKM_HTTPS", "0")
        call_command("serve", host=options["host"], port=options["port"],
                     verbosity=verbosity)
