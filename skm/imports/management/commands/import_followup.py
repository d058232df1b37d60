"""``skm import-followup --unit SLUG --from DIR|FILE.zip [--dry-run]``: load what ``skm
export`` wrote of a unit's follow-up (layanan, sections, population, RTL, realisasi, evidence
files, history) into a unit here. The responses come with ``skm import``. See docs/export.md.

Exit status 0 when loaded (or, with ``--dry-run``, loadable), 2 when nothing was written.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from skm.formatting import integer_id
from skm.imports.followup_import import FollowupImportError, import_followup
from skm.units.models import Unit

EXIT_BAD_INPUT = 2


class Command(BaseCommand):
    help = ("Muat tindak lanjut dari ekspor skm (folder atau ZIP): layanan, seksi, populasi, "
            "RTL, realisasi, dokumentasi dan riwayatnya.")
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--unit", required=True, metavar="SLUG",
                            help="unit tujuan di instalasi ini")
        parser.add_argument("--from", dest="source", required=True, metavar="DIR|FILE.zip",
                            help="folder atau ZIP hasil skm export")
        parser.add_argument("--dry-run", action="store_true",
                            help="periksa saja; tidak ada yang disimpan")

    def handle(self, *args, **options):
        unit = Unit.objects.filter(slug=options["unit"]).first()
        if unit is None:
            raise CommandError(f"Unit {options['unit']!r} tidak ditemukan.",
                               returncode=EXIT_BAD_INPUT)
        source = Path(options["source"])
        if not source.exists():
            raise CommandError(f"{source} tidak ada.", returncode=EXIT_BAD_INPUT)
        try:
            result = import_followup(source, unit, dry_run=options["dry_run"])
        except FollowupImportError as exc:
            raise CommandError("Tidak ada yang dimuat:\n" + "\n".join(exc.problems),
                               returncode=EXIT_BAD_INPUT) from None
        verb = "dapat dimuat (uji, tidak disimpan)" if result.dry_run else "dimuat"
        lines = [f"Tindak lanjut dari ekspor {result.source_unit or '?'} {verb} ke {unit.name}"
                 f" (periode {', '.join(result.periods) or '-'}):"]
        for name, count in result.counts.items():
            lines.append(f"  {name}: {integer_id(count)}")
        self.stdout.write("\n".join(lines))
        for name in result.missing:
            self.stderr.write(f"Peringatan: {name} tidak ada di ekspor itu sendiri (tercatat "
                              "sebagai hilang di manifest.json); baris dokumentasinya dilewati.")
