"""``skm report KIND --unit SLUG --period ID --out FILE`` (the extension picks the format)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from skm.reports.registry import REPORTS, ReportError, build
from skm.units.models import Period, Unit
from skm.units.periods import parse_period


class Command(BaseCommand):
    help = "Tulis laporan unit untuk satu periode (format dari ekstensi --out)."
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("kind", help="tindak-lanjut, skm, rekap or poster")
        parser.add_argument("--unit", required=True, help="unit slug")
        parser.add_argument("--period", required=True, help="e.g. 2024-S2, 2024-TW3, 2024")
        parser.add_argument("--out", required=True, help="FILE.docx, FILE.pdf or FILE.xlsx")

    def handle(self, *args, kind, unit, period, out, **options):
        out_path = Path(out)
        fmt = out_path.suffix.lower().lstrip(".")
        if not fmt:
            raise CommandError(f"--out {out}: give the file an extension (.docx, .pdf, .xlsx)")
        try:
            spec = parse_period(period)
        except ValueError as exc:
            raise CommandError(f"--period {period}: {exc}") from None
        found = Unit.objects.filter(slug=unit).first()
        if found is None:
            raise CommandError(f"--unit {unit}: no such unit")
        if kind not in REPORTS:
            raise CommandError(f"unknown report {kind!r}; choose from {', '.join(sorted(REPORTS))}")
        try:
            data = build(kind, fmt, found, Period.get_or_create_code(spec.code))
        except ReportError as exc:
            raise CommandError(str(exc)) from None
        if not out_path.parent.is_dir():
            raise CommandError(f"--out {out}: folder {out_path.parent} does not exist")
        tmp = out_path.with_name(out_path.name + ".part")
        tmp.write_bytes(data)
        tmp.replace(out_path)  # never a half-written report under the real name
        self.stdout.write(f"{out_path} ({len(data):,} bytes)")
