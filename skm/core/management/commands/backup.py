"""``skm backup --out FILE.tar.gz|DIR``: the database and the uploaded files (docs/backup.md)."""

from django.core.management.base import BaseCommand, CommandError

from skm.core.backup import BackupError, create_backup
from skm.formatting import integer_id


class Command(BaseCommand):
    help = ("Cadangkan basis data dan berkas unggahan ke satu arsip .tar.gz (atau direktori), "
            "dengan manifest berisi jumlah baris dan hash SHA-256.")

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True, metavar="BERKAS",
                            help="arsip tujuan (.tar.gz / .tgz) atau direktori baru")

    def handle(self, *args, out, **options):
        try:
            manifest = create_backup(out)
        except BackupError as exc:
            raise CommandError(str(exc), returncode=2) from None
        rows = sum(manifest.models.values())
        media = sum(1 for name in manifest.files if name.startswith("media/"))
        self.stdout.write(
            f"Cadangan ditulis ke {out}: {integer_id(rows)} baris dari "
            f"{len(manifest.models)} model, {integer_id(media)} berkas unggahan "
            f"({manifest.engine}, skm {manifest.version}, {manifest.created})."
        )
