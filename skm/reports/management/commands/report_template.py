"""``skm report-template KIND --out FILE``: a copy of a report's built-in DOCX template, for a
unit to edit in Word (letterhead, signature block) and put back as its own (docs/reports.md)."""

import shutil
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from skm.reports.common import BUILTIN_DOCX
from skm.reports.registry import REPORTS


class Command(BaseCommand):
    help = "Salin templat DOCX bawaan sebuah laporan agar dapat diubah di Word."
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("kind", help="e.g. tindak-lanjut, skm")
        parser.add_argument("--out", required=True, help="FILE.docx")

    def handle(self, *args, kind, out, **options):
        if kind not in REPORTS:
            raise CommandError(
                f"unknown report {kind!r}; choose from {', '.join(sorted(REPORTS))}")
        source = BUILTIN_DOCX / f"{kind}.docx"
        if "docx" not in REPORTS[kind].formats or not source.is_file():
            with_docx = sorted(k for k, r in REPORTS.items()
                               if (BUILTIN_DOCX / f"{k}.docx").is_file())
            raise CommandError(f"report {kind!r} has no DOCX template"
                               + (f" (these do: {', '.join(with_docx)})" if with_docx else ""))
        out_path = Path(out)
        if out_path.suffix.lower() != ".docx":
            raise CommandError(f"--out {out}: the copy must end in .docx")
        if not out_path.parent.is_dir():
            raise CommandError(f"--out {out}: folder {out_path.parent} does not exist")
        tmp = out_path.with_name(out_path.name + ".part")
        shutil.copyfile(source, tmp)
        tmp.replace(out_path)
        self.stdout.write(f"{out_path} ({out_path.stat().st_size:,} bytes)")
