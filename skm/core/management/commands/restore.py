"""``skm restore FILE|DIR [--force]``: put a backup back, all or nothing (docs/backup.md)."""

from django.core.management.base import BaseCommand, CommandError

from skm.core.backup import BackupError, restore_backup
from skm.formatting import integer_id


class Command(BaseCommand):
    help = ("Pulihkan cadangan `skm backup` ke basis data kosong (setelah `skm migrate`); "
            "hash diperiksa dulu, lalu semua baris dimuat dalam satu transaksi.")

    def add_arguments(self, parser):
        parser.add_argument("source", metavar="BERKAS", help="arsip .tar.gz atau direktori")
        parser.add_argument("--force", action="store_true",
                            help="timpa basis data dan berkas unggahan yang sudah berisi")

    def handle(self, *args, source, force, **options):
        try:
            report = restore_backup(source, force=force)
        except BackupError as exc:
            raise CommandError(str(exc), returncode=2) from None
        self.stdout.write(
            f"Dipulihkan dari {source} (dibuat {report.manifest.created}, "
            f"{report.manifest.engine}, skm {report.manifest.version}): "
            f"{integer_id(report.rows)} baris, {integer_id(report.files)} berkas unggahan; "
            "hash dan jumlah baris sesuai manifest."
        )
        if report.summary_rebuilt:
            self.stdout.write(
                f"Tabel ringkasan tidak sesuai dengan respons ({integer_id(report.summary_rebuilt)}"
                " sel) dan telah dibangun ulang; sekarang sesuai.")
        else:
            self.stdout.write("Tabel ringkasan sesuai dengan respons.")
