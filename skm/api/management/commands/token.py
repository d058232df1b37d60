"""``skm token create|revoke|list``: API tokens for kiosks and staff (docs/api.md).

The key is printed once, alone on standard output (so ``KEY=$(skm token create ...)`` works);
what it is for goes to standard error. Only its SHA-256 hash is stored.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from skm.api.models import SCOPE_KIOSK, SCOPES, ApiToken
from skm.units.models import Unit

EXIT_BAD_INPUT = 2


def _fail(message: str):
    return CommandError(message, returncode=EXIT_BAD_INPUT)


def _when(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else "-"


class Command(BaseCommand):
    help = "Buat, cabut, atau daftar token API (kios dan staf)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="AKSI")
        create = sub.add_parser("create", help="buat token; kuncinya hanya ditampilkan sekali")
        create.add_argument("--kind", choices=("kiosk", "staff"),
                            help="jenis token; tanpa ini, menurut --scope (kiosk: kios)")
        create.add_argument("--scope", action="append", choices=SCOPES, dest="scopes",
                            metavar="CAKUPAN",
                            help="read, write atau kiosk; boleh diulang (bawaan: staf read+write, "
                            "kios kiosk)")
        create.add_argument("--unit", metavar="SLUG", help="unit token kios (wajib untuk kiosk)")
        create.add_argument("--user", metavar="USERNAME", help="pengguna token staf (wajib staff)")
        create.add_argument("--name", required=True, help='nama token, mis. "Kios loket 1"')
        revoke = sub.add_parser("revoke", help="cabut token menurut awalannya")
        revoke.add_argument("prefix", metavar="AWALAN")
        listing = sub.add_parser("list", help="daftar token (tanpa kunci)")
        listing.add_argument("--all", action="store_true", help="termasuk token yang dicabut")

    def handle(self, *args, **options):
        return getattr(self, f"_{options['action']}")(options)

    def _create(self, options):
        name, scopes = options["name"].strip(), options["scopes"] or []
        kind = options["kind"] or ("kiosk" if SCOPE_KIOSK in scopes else "staff" if scopes
                                   else None)
        if kind is None:
            raise _fail("Sebutkan --kind kiosk|staff atau sedikitnya satu --scope.")
        if not name:
            raise _fail("Nama token tidak boleh kosong.")
        unit = user = None
        if kind == "kiosk":
            if not options["unit"] or options["user"]:
                raise _fail("Token kios memerlukan --unit SLUG (dan tanpa --user).")
            unit = Unit.objects.filter(slug=options["unit"]).first()
            if unit is None:
                raise _fail(f"Unit {options['unit']!r} tidak ditemukan.")
        else:
            if not options["user"] or options["unit"]:
                raise _fail("Token staf memerlukan --user USERNAME (dan tanpa --unit).")
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise _fail(f"Pengguna {options['user']!r} tidak ditemukan.")
            if not user.is_active:
                raise _fail(f"Pengguna {options['user']!r} tidak aktif.")
        try:
            token, key = ApiToken.issue(kind, name, unit=unit, user=user, scopes=scopes)
        except ValidationError as exc:
            raise _fail(" ".join(exc.messages)) from None
        owner = f"unit {unit.slug}" if unit else f"pengguna {user.get_username()}"
        self.stderr.write(
            f"Token {kind} {token.name!r} ({owner}) dibuat, awalan {token.prefix}, "
            f"cakupan {'+'.join(token.scopes)}.\n"
            "Kuncinya hanya ditampilkan sekali ini; simpan sekarang. "
            "Dipakai sebagai: Authorization: Bearer <kunci>"
        )
        self.stdout.write(key)

    def _revoke(self, options):
        prefix = options["prefix"].strip()
        token = ApiToken.objects.filter(prefix=prefix).first()  # prefixes are unique
        if token is None:
            raise _fail(f"Tidak ada token dengan awalan {prefix!r}.")
        if not token.active:
            self.stdout.write(f"Token {token.prefix} ({token.name}) sudah dicabut "
                              f"{_when(token.revoked_at)}.")
            return
        token.revoke()
        self.stdout.write(f"Token {token.prefix} ({token.name}) dicabut.")

    def _list(self, options):
        tokens = ApiToken.objects.select_related("unit", "user").order_by("created", "pk")
        if not options["all"]:
            tokens = tokens.active()
        header = f"{'AWALAN':<8}  {'JENIS':<5}  {'UNIT/PENGGUNA':<24}  {'DIBUAT':<16}  " \
                 f"{'TERAKHIR DIPAKAI':<16}  {'STATUS':<7}  {'CAKUPAN':<10}  NAMA"
        self.stdout.write(header)
        for t in tokens:
            owner = t.unit.slug if t.unit_id else t.user.get_username()
            status = "aktif" if t.active else "dicabut"
            self.stdout.write(
                f"{t.prefix:<8}  {t.kind:<5}  {owner:<24}  {_when(t.created):<16}  "
                f"{_when(t.last_used_at):<16}  {status:<7}  "
                f"{'+'.join(sorted(t.effective_scopes, key=SCOPES.index)):<10}  {t.name}"
            )
