"""``skm summary --check`` / ``--rebuild``: compare the summary table with the responses."""

import sys

from django.core.management.base import BaseCommand, CommandError

from skm.results import summary
from skm.units.models import Period, Unit


class Command(BaseCommand):
    help = "Periksa (--check) atau bangun ulang (--rebuild) tabel ringkasan dari respons."

    def add_arguments(self, parser):
        action = parser.add_mutually_exclusive_group(required=True)
        action.add_argument("--check", action="store_true")
        action.add_argument("--rebuild", action="store_true")
        parser.add_argument("--unit", help="slug unit (default: semua)")
        parser.add_argument("--period", help="kode periode, mis. 2024-S2 (default: semua)")

    def handle(self, *args, check, rebuild, unit, period, **options):
        units = Unit.objects.all()
        if unit:
            units = units.filter(slug=unit)
            if not units.exists():
                raise CommandError(f"Unit {unit!r} tidak ditemukan.", returncode=2)
        periods = Period.objects.all()
        if period:
            periods = periods.filter(code=period)
        if rebuild:
            summary.rebuild(units, periods)
            self.stdout.write("Tabel ringkasan dibangun ulang.")
            return
        diffs = summary.differences(units, periods)
        if not diffs:
            self.stdout.write("Tabel ringkasan sesuai dengan respons.")
            return
        for key, (stored, fresh) in sorted(diffs.items())[:20]:
            self.stderr.write(f"  {key}: tersimpan {stored}, seharusnya {fresh}")
        self.stderr.write(f"{len(diffs)} sel tidak sesuai; jalankan skm summary --rebuild.")
        sys.exit(1)
