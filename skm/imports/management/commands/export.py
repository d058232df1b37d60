"""``skm export --unit SLUG [--period ID] --out DIR|FILE.zip|FILE.xlsx|FILE.json``: everything a
unit owns (responses, layanan, population, RTL, realisasi, evidence files) in one export.

Exit status 0 when written, 2 when nothing was written: an unknown unit, a bad period, a target
that exists (a file, or a folder that is not empty) without ``--force``. See docs/export.md.
"""

from __future__ import annotations

import logging

from django.core.management.base import BaseCommand, CommandError

from skm.formatting import integer_id
from skm.imports.exporting import FORMATS, ExportError, export_unit
from skm.units.models import Unit

EXIT_BAD_INPUT = 2
logger = logging.getLogger("skm.imports.export")


class Command(BaseCommand):
    help = ("Ekspor seluruh data unit (respons, layanan, populasi, RTL, realisasi, dokumentasi) "
            "ke folder CSV, ZIP, XLSX atau JSON.")
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--unit", required=True, metavar="SLUG", help="slug unit")
        parser.add_argument("--period", metavar="ID",
                            help="hanya periode ini (2025-S1, 2025-TW2, 2025); tanpa ini semua "
                                 "periode")
        parser.add_argument("--out", required=True, metavar="DIR|FILE",
                            help="folder, atau berkas .zip, .xlsx atau .json")
        parser.add_argument("--format", choices=FORMATS,
                            help="format (bawaan: menurut akhiran --out; tanpa akhiran: folder)")
        parser.add_argument("--force", action="store_true",
                            help="timpa berkas yang ada atau ekspor sebelumnya di folder itu")

    def handle(self, *args, **options):
        unit = Unit.objects.filter(slug=options["unit"]).first()
        if unit is None:
            raise CommandError(f"Unit {options['unit']!r} tidak ditemukan.",
                               returncode=EXIT_BAD_INPUT)
        try:
            result = export_unit(unit, options["period"], options["format"],
                                 out=options["out"], force=options["force"])
        except ExportError as exc:
            raise CommandError(exc.message, returncode=EXIT_BAD_INPUT) from None
        logger.info("export of %s (%s) to %s", unit.slug, options["period"] or "semua",
                    result.path)
        lines = [f"Ekspor {unit.name} ({result.format}) ditulis ke {result.path}:"]
        for name, rows in result.counts.items():
            lines.append(f"  {name}: {integer_id(rows)} baris")
        evidence = sum(1 for name in result.files if name.startswith("evidence/"))
        if evidence:
            lines.append(f"  berkas dokumentasi: {integer_id(evidence)}")
        self.stdout.write("\n".join(lines))
        for name in result.missing:
            self.stderr.write(f"Peringatan: berkas dokumentasi {name} tidak ada di MEDIA_ROOT; "
                              "baris evidence tetap ditulis, berkasnya tidak.")
