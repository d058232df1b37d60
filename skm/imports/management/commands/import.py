"""``skm import FILE --unit SLUG --period ID``: bring a survey file into the database.

Exit status 0 when imported (or, with ``--dry-run``, when it would be), 2 when nothing was
imported: bad cells (the first 100 on standard error, all of them with ``--errors-out``), the same
file imported before, an unknown unit, layanan or mapping, or a file that cannot be read.
See docs/import.md.
"""

from __future__ import annotations

import sys
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError

from skm.formatting import decimal_id, integer_id
from skm.imports.importing import ImportInvalid, import_file, save_mapping, write_errors_csv
from skm.tabular.errors import SurveyFileError, column_letter
from skm.units.models import Unit
from skm.units.periods import parse_period

EXIT_BAD_INPUT = 2
SHOWN_ERRORS = 100


class _Progress:
    """A rich bar on a terminal, a plain line per 10% otherwise (both on standard error)."""

    def __init__(self, stream, name):
        self.stream = stream
        self.bar = None
        self.next_step = 0.1
        if stream.isatty():
            from rich.console import Console
            from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

            self.bar = Progress(TextColumn("{task.description}"), BarColumn(),
                                TextColumn("{task.percentage:>3.0f}%"),
                                TextColumn("{task.fields[rows]} baris"), TimeElapsedColumn(),
                                console=Console(file=stream), transient=True)
            self.task = self.bar.add_task(f"Impor {name}", total=1.0, rows="0")
            self.bar.start()

    def __call__(self, rows, fraction):
        if self.bar is not None:
            self.bar.update(self.task, completed=fraction, rows=integer_id(rows))
        elif fraction >= self.next_step:
            self.stream.write(f"{fraction:.0%}: {integer_id(rows)} baris dibaca\n")
            self.stream.flush()
            while self.next_step <= fraction:
                self.next_step += 0.1

    def close(self):
        if self.bar is not None:
            self.bar.stop()


class Command(BaseCommand):
    help = "Impor berkas survei (CSV, XLSX, ekspor Google Forms, formulir pengolahan) ke unit."
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE", help="berkas .csv atau .xlsx")
        parser.add_argument("--unit", required=True, metavar="SLUG", help="slug unit")
        parser.add_argument("--period", required=True, metavar="ID",
                            help="periode: 2025-S1, 2025-TW2 atau 2025 (dibuat bila belum ada)")
        parser.add_argument("--layanan", metavar="SLUG",
                            help="layanan (slug atau nama) untuk baris tanpa kolom layanan")
        parser.add_argument("--mapping", metavar="NAME", help="pemetaan kolom tersimpan")
        parser.add_argument("--dry-run", action="store_true",
                            help="periksa saja, tidak menyimpan apa pun")
        parser.add_argument("--skip-duplicates", action="store_true",
                            help="lewati baris yang sama dengan respons yang sudah tersimpan")
        parser.add_argument("--errors-out", metavar="PATH",
                            help="tulis semua sel salah ke berkas CSV ini")
        parser.add_argument("--save-mapping", metavar="NAME",
                            help="simpan pencocokan kolom berkas ini dengan nama NAME")

    def handle(self, *args, **options):
        unit = Unit.objects.filter(slug=options["unit"]).first()
        if unit is None:
            raise CommandError(f"Unit {options['unit']!r} tidak ditemukan.",
                               returncode=EXIT_BAD_INPUT)
        try:
            parse_period(options["period"])
        except ValueError as exc:
            raise CommandError(str(exc), returncode=EXIT_BAD_INPUT) from None
        progress = _Progress(sys.stderr, options["file"])
        try:
            result = import_file(
                options["file"], unit, options["period"], layanan=options["layanan"],
                mapping=options["mapping"], dry_run=options["dry_run"],
                skip_duplicates=options["skip_duplicates"], progress=progress,
            )
        except ImportInvalid as exc:
            progress.close()
            self._report_errors(exc, options["errors_out"])
            raise CommandError(exc.message, returncode=EXIT_BAD_INPUT) from None
        except SurveyFileError as exc:
            progress.close()
            raise CommandError(exc.message, returncode=EXIT_BAD_INPUT) from None
        progress.close()
        self._report(result)
        if options["save_mapping"]:
            save_mapping(unit, options["save_mapping"],
                         {header: target for target, header in result.columns.items()})
            self.stdout.write(f"Pemetaan kolom {options['save_mapping']!r} disimpan.")

    def _report_errors(self, exc, errors_out):
        for e in exc.errors[:SHOWN_ERRORS]:
            self.stderr.write(f"  baris {e.row}, kolom {column_letter(e.column_index)} "
                              f"({e.column}): {e.problem}")
        if exc.total > SHOWN_ERRORS:
            more = exc.total - SHOWN_ERRORS
            hint = f"; semuanya di {errors_out}" if errors_out else "; pakai --errors-out FILE"
            self.stderr.write(f"  ... dan {integer_id(more)} sel salah lainnya{hint}.")
        if errors_out:
            with open(errors_out, "w", newline="", encoding="utf-8") as handle:
                write_errors_csv(exc.errors, handle)

    def _report(self, result):
        verb = "akan diimpor (uji coba, tidak disimpan)" if result.dry_run else "diimpor"
        lines = [f"{result.file_name} ({result.format}): {integer_id(result.rows)} respons "
                 f"{verb} dalam {decimal_id(Decimal(str(round(result.seconds, 1))), 1)} detik."]
        for name, n in sorted(result.per_layanan.items()):
            lines.append(f"  {name}: {integer_id(n)}")
        mapped = ", ".join(f"{target} = {header!r}" for target, header in result.columns.items())
        lines.append(f"Kolom: {mapped}")
        if result.duplicates:
            shown = ", ".join(map(str, result.duplicate_rows))
            if result.duplicates > len(result.duplicate_rows):
                shown += ", ..."
            action = "dilewati" if result.duplicates_skipped else "tetap diimpor"
            lines.append(
                f"{integer_id(result.duplicates)} baris sama dengan respons yang sudah ada "
                f"({action}): baris {shown}."
            )
        self.stdout.write("\n".join(lines))
        for warning in result.warnings:
            self.stderr.write(f"Peringatan: {warning}")
