"""The demo database: a small region with two survey periods, users in every role.

Kota Administrasi Jakarta Timur > Kecamatan Pulo Gadung > Kelurahan Jatinegara Kaum and
Kelurahan Rawamangun, each with the seed report's seven layanan and four seksi. Jatinegara Kaum's
Semester II 2024 is the bundled sample file (``skm/data/contoh-jatinegara-kaum-2024-S2.csv``), so
its results are the seed report's Tabel 1, down to the 98,72; every other unit-period is
generated, deterministically. Populations leave some layanan short of the Krejcie-Morgan minimum.

:func:`build_demo` is idempotent: it deletes the demo units (with their responses, and the
evidence files of their realisasi) and builds them again, and resets the demo users' passwords
and memberships. It refuses to touch a database
that holds anything else (units or users that are not the demo's), unless it is a demo database
already (its demo admin carries the demo e-mail address) or the caller forces it.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import ProtectedError
from django.utils.text import slugify

from skm.results import summary as summary_table
from skm.surveys.models import QuestionnaireVersion, Response
from skm.units.models import Layanan, Membership, Period, Population, Section, Unit

JAKARTA = ZoneInfo("Asia/Jakarta")
SAMPLE_FILE = Path(__file__).resolve().parent.parent / "data" / "contoh-jatinegara-kaum-2024-S2.csv"
#: A drawn picture of an apel in front of a kantor kelurahan: the demo's dokumentasi kegiatan.
SAMPLE_PHOTO = SAMPLE_FILE.with_name("contoh-dokumentasi-apel.jpg")
SEED = 20240701  # random.Random seed of every generated response

LAYANAN = ("Jumantik", "Ketertiban Umum", "PKK", "Posyandu", "PPSU", "RPTRA",
           "RT/RW, LMK dan FKDM")
SECTIONS = (
    ("Ekbang", "Seksi Ekonomi dan Pembangunan"),
    ("Pemerintahan", "Seksi Pemerintahan"),
    ("Kesra", "Seksi Kesejahteraan Rakyat"),
    ("Trantib", "Seksi Ketenteraman, Ketertiban dan Lingkungan Hidup"),
)
PERIODS = ("2024-S1", "2024-S2")

KOTA = ("Kota Administrasi Jakarta Timur", "jakarta-timur", Unit.Kind.KOTA)
KECAMATAN = ("Kecamatan Pulo Gadung", "pulo-gadung", Unit.Kind.KECAMATAN)
KELURAHAN = ("Kelurahan Jatinegara Kaum", "jatinegara-kaum", Unit.Kind.KELURAHAN)
SIBLING = ("Kelurahan Rawamangun", "rawamangun", Unit.Kind.KELURAHAN)
UNIT_SLUGS = (KOTA[1], KECAMATAN[1], KELURAHAN[1], SIBLING[1])

#: Respondents per layanan of the generated unit-periods (the sample file gives Jatinegara Kaum
#: 2024-S2 its own: 58, 84, 76, 112, 67, 93, 104).
RESPONDENTS = {
    ("jatinegara-kaum", "2024-S1"): (50, 71, 80, 95, 60, 85, 90),
    ("rawamangun", "2024-S1"): (44, 62, 70, 88, 51, 66, 79),
    ("rawamangun", "2024-S2"): (49, 68, 73, 101, 57, 72, 83),
}
#: Service users per layanan and period (the N of Krejcie-Morgan). The marked ones are short:
#: fewer respondents than the minimum sample.
POPULATIONS = {
    ("jatinegara-kaum", "2024-S1"): (55, 110, 95, 160, 70, 100, 115),  # KU, Posyandu short
    ("jatinegara-kaum", "2024-S2"): (60, 120, 90, 180, 80, 110, 140),  # KU, Posyandu short
    ("rawamangun", "2024-S1"): (50, 70, 80, 110, 90, 80, 95),  # PPSU short
    ("rawamangun", "2024-S2"): (55, 80, 85, 130, 65, 120, 105),  # RPTRA short
}
#: Chances of answers 4, 3, 2, 1 (the rest of 1 is 1) by unit-period; Jatinegara Kaum's first
#: semester is a little lower than its second, and Rawamangun's PPSU is only "Baik".
QUALITY = {
    ("jatinegara-kaum", "2024-S1"): (0.80, 0.17, 0.025),
    ("rawamangun", "2024-S1"): (0.70, 0.25, 0.04),
    ("rawamangun", "2024-S2"): (0.74, 0.22, 0.03),
}
WEAK_LAYANAN = {("rawamangun", "PPSU"): (0.45, 0.42, 0.10)}
#: U1 (Persyaratan) is answered a little lower everywhere, as in the seed report.
U1_PENALTY = 0.06
BLANK = 0.02
SOURCES = (Response.Source.PAPER, Response.Source.ONLINE, Response.Source.ONLINE,
           Response.Source.KIOSK)
SARAN = ("", "", "", "", "", "Pelayanan cepat, terima kasih", "Mohon ruang tunggu diperluas",
         "Petugas ramah", "Antrean kadang lama pada pagi hari", "Informasi persyaratan di papan "
         "pengumuman perlu diperbarui")


@dataclass(frozen=True)
class DemoUser:
    username: str
    password: str
    role: str  # "admin" or a Membership.Role value
    unit_slug: str | None
    description: str


#: Demo only: these passwords are printed by ``skm demo`` and must never reach a server.
USERS = (
    DemoUser("admin", "demo-admin-skm", "admin", None, "admin (superuser), semua unit"),
    DemoUser("supervisor.pulogadung", "demo-supervisor-skm", Membership.Role.SUPERVISOR,
             "pulo-gadung", "supervisor Kecamatan Pulo Gadung"),
    DemoUser("operator.jatinegarakaum", "demo-operator-skm", Membership.Role.OPERATOR,
             "jatinegara-kaum", "operator Kelurahan Jatinegara Kaum"),
    DemoUser("viewer.jatinegarakaum", "demo-viewer-skm", Membership.Role.VIEWER,
             "jatinegara-kaum", "viewer Kelurahan Jatinegara Kaum"),
)


#: Every demo user's e-mail is ``<username>@`` this domain (reserved, never delivered); the demo
#: admin's marks a database as a demo database.
DEMO_DOMAIN = "demo.skm.invalid"


class DemoRefused(Exception):
    """The database holds data that is not the demo's."""


@dataclass
class DemoSummary:
    units: list[Unit]
    users: tuple[DemoUser, ...]
    #: (unit slug, period code) -> responses
    responses: dict[tuple[str, str], int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.responses.values())


def is_demo_database() -> bool:
    return User.objects.filter(username=USERS[0].username,
                               email=f"{USERS[0].username}@{DEMO_DOMAIN}").exists()


def foreign_data() -> list[str]:
    """What in this database is not the demo's (empty: safe to rebuild)."""
    problems = []
    units = Unit.objects.exclude(slug__in=UNIT_SLUGS).order_by("slug")
    if units.exists():
        names = ", ".join(u.slug for u in units[:5])
        problems.append(f"{units.count()} unit lain ({names})")
    users = User.objects.exclude(username__in=[u.username for u in USERS]).order_by("username")
    if users.exists():
        names = ", ".join(u.username for u in users[:5])
        problems.append(f"{users.count()} pengguna lain ({names})")
    return problems


def _delete(obj) -> None:
    """Delete ``obj``, first deleting whatever protects it (rows of later modules included)."""
    for _ in range(20):
        try:
            obj.delete()
            return
        except ProtectedError as exc:
            for protected in exc.protected_objects:
                _delete(protected)
    obj.delete()


def remove_demo_units() -> None:
    units = list(Unit.objects.filter(slug__in=UNIT_SLUGS))
    if not units:
        return
    Response.objects.unscoped().filter(unit__in=units).delete()
    # deepest first: a unit's parent is protected while it has children
    for unit in sorted(units, key=lambda u: u.path.count("/"), reverse=True):
        for child in unit.subtree().exclude(pk=unit.pk).order_by("-path"):
            Response.objects.unscoped().filter(unit=child).delete()
            _delete(child)
        _delete(unit)


def _unit(spec, parent=None) -> Unit:
    name, slug, kind = spec
    return Unit.objects.create(name=name, slug=slug, kind=kind, parent=parent)


def _kelurahan(spec, parent) -> tuple[Unit, list[Layanan]]:
    unit = _unit(spec, parent)
    Section.objects.bulk_create(Section(unit=unit, code=c, name=n) for c, n in SECTIONS)
    layanan = [
        Layanan.objects.create(unit=unit, name=name, slug=slugify(name), order=order)
        for order, name in enumerate(LAYANAN, start=1)
    ]
    return unit, layanan


def _moment(day: date, index: int) -> datetime:
    """Office hours, spread by row: 08:00 to 15:59."""
    minutes = (index * 37) % (8 * 60)
    return datetime.combine(day, time(8), tzinfo=JAKARTA) + timedelta(minutes=minutes)


def sample_responses(unit: Unit, layanan: list[Layanan], period: Period,
                     version: QuestionnaireVersion, path: Path = SAMPLE_FILE) -> list[Response]:
    """The bundled sample file as paper responses, unsur U1..U9 in slots a1..a9."""
    by_name = {lay.name: lay for lay in layanan}
    slots = version.slot_codes()  # {"a1": "U1", ...}
    rows = []
    with open(path, newline="", encoding="utf-8-sig") as handle:
        for index, row in enumerate(csv.DictReader(handle, delimiter=";")):
            answers = {slot: int(row[code]) if row[code].strip() else None
                       for slot, code in slots.items()}
            age = row.get("usia", "").strip()
            rows.append(Response(
                unit=unit, layanan=by_name[row["layanan"]], period=period,
                questionnaire=version,
                submitted_at=_moment(date.fromisoformat(row["tanggal"]), index),
                source=Response.Source.PAPER,
                gender=row.get("jenis_kelamin", "").strip().upper(),
                age=int(age) if age else None,
                education=row.get("pendidikan", "").strip(),
                occupation=row.get("pekerjaan", "").strip(),
                saran=row.get("saran", "").strip(),
                **answers,
            ))
    return rows


def _answer(rng: random.Random, chances: tuple[float, float, float], penalty: float):
    if rng.random() < BLANK:
        return None
    p4, p3, p2 = chances
    p4 = max(p4 - penalty, 0.0)
    p3 = p3 + penalty
    r = rng.random()
    if r < p4:
        return 4
    if r < p4 + p3:
        return 3
    if r < p4 + p3 + p2:
        return 2
    return 1


def generated_responses(rng: random.Random, unit: Unit, layanan: list[Layanan], period: Period,
                        version: QuestionnaireVersion) -> list[Response]:
    key = (unit.slug, period.code)
    chances = QUALITY[key]
    slots = list(version.slot_codes())
    days = (period.end - period.start).days + 1
    rows = []
    for lay, count in zip(layanan, RESPONDENTS[key], strict=True):
        quality = WEAK_LAYANAN.get((unit.slug, lay.name), chances)
        for _ in range(count):
            answers = {slot: _answer(rng, quality, U1_PENALTY if slot == "a1" else 0.0)
                       for slot in slots}
            if not any(answers.values()):
                answers[slots[-1]] = 4
            day = period.start + timedelta(days=rng.randrange(days))
            rows.append(Response(
                unit=unit, layanan=lay, period=period, questionnaire=version,
                submitted_at=_moment(day, rng.randrange(1000)),
                source=rng.choice(SOURCES),
                gender=rng.choice("LP"),
                age=rng.randint(17, 75) if rng.random() > 0.03 else None,
                education=rng.choices(["SD", "SMP", "SMA", "DIII", "S1", "S2", ""],
                                      [8, 15, 44, 10, 17, 4, 2])[0],
                occupation=rng.choices(["PNS", "TNI", "POLRI", "Swasta", "Wirausaha",
                                        "Lainnya", ""], [6, 2, 2, 30, 29, 29, 2])[0],
                saran=rng.choice(SARAN),
                **answers,
            ))
    return rows


def _users(units: dict[str, Unit]) -> None:
    for spec in USERS:
        admin = spec.role == "admin"
        user, _ = User.objects.update_or_create(
            username=spec.username,
            defaults={"is_superuser": admin, "is_staff": admin, "is_active": True,
                      "email": f"{spec.username}@{DEMO_DOMAIN}"},
        )
        user.set_password(spec.password)
        user.save()
        user.memberships.all().delete()
        if not admin:
            Membership.objects.create(user=user, unit=units[spec.unit_slug], role=spec.role)


def build_demo(force: bool = False, seed: int = SEED) -> DemoSummary:
    """(Re)build the demo region, its responses, populations and users, in one transaction."""
    if not force and not is_demo_database():
        problems = foreign_data()
        if problems:
            raise DemoRefused(
                "Basis data ini berisi data selain demo: " + "; ".join(problems) + ". "
                "Jalankan demo pada basis data kosong (SKM_DATABASE_URL atau SKM_VAR_DIR lain)."
            )
    rng = random.Random(seed)
    try:
        summary = _build(rng)
    finally:  # built or rolled back: no file left that no row refers to
        from skm.followup.evidence import sweep_unreferenced

        sweep_unreferenced(UNIT_SLUGS)
    return summary


def _build(rng: random.Random) -> DemoSummary:
    with transaction.atomic():
        remove_demo_units()
        version = QuestionnaireVersion.default()
        periods = {code: Period.get_or_create_code(code) for code in PERIODS}
        kota = _unit(KOTA)
        kecamatan = _unit(KECAMATAN, kota)
        kelurahan, kelurahan_layanan = _kelurahan(KELURAHAN, kecamatan)
        sibling, sibling_layanan = _kelurahan(SIBLING, kecamatan)
        units = {u.slug: u for u in (kota, kecamatan, kelurahan, sibling)}
        layanan_of = {kelurahan.slug: kelurahan_layanan, sibling.slug: sibling_layanan}

        summary = DemoSummary(units=list(units.values()), users=USERS)
        for code, period in periods.items():
            for unit in (kelurahan, sibling):
                layanan = layanan_of[unit.slug]
                if (unit.slug, code) == (KELURAHAN[1], "2024-S2"):
                    rows = sample_responses(unit, layanan, period, version)
                else:
                    rows = generated_responses(rng, unit, layanan, period, version)
                Response.objects.unscoped().bulk_create(rows, batch_size=1000)
                summary.responses[(unit.slug, code)] = len(rows)
                Population.objects.bulk_create(
                    Population(layanan=lay, period=period, size=size)
                    for lay, size in zip(layanan, POPULATIONS[(unit.slug, code)], strict=True)
                )
        # bulk_create bypasses record_response: bring the summary table in step in one go
        summary_table.rebuild([kelurahan, sibling], list(periods.values()))
        _users(units)
        seed_rtl(kelurahan, periods["2024-S2"])
        publish_demo(kelurahan, sibling, periods, summary)
    return summary


def publish_demo(kelurahan: Unit, sibling: Unit, periods: dict[str, Period],
                 summary: DemoSummary) -> None:
    """Both semesters of Jatinegara Kaum and Semester II of Rawamangun are public, so
    /p/jatinegara-kaum/ shows the seed's 98,72 with its trend and RTL, and /p/pulo-gadung/ the
    kecamatan's figure for 2024-S2 (every unit with answers in it has published)."""
    from skm.publication.services import publish

    admin = User.objects.get(username=USERS[0].username)
    for unit, code in ((kelurahan, "2024-S1"), (kelurahan, "2024-S2"), (sibling, "2024-S2")):
        publish(unit, periods[code], admin, respondents=summary.responses[(unit.slug, code)])


#: The seed report's Tabel 2 and BAB III: its three priority unsur, one activity each.
SEED_RTL_UNSUR = ("U1", "U2", "U8")
SEED_RTL_PROGRAM = "Kegiatan pembinaan melalui pelaksanaan apel"
SEED_RTL_CAPTION = "Apel PPSU, 17 September 2024"


def seed_rtl(unit: Unit, period: Period) -> None:
    """Three RTL items in TW III 2024 by Ekbang, all realised on 17 September 2024 (100%),
    each with the sample photo, uploaded by the demo operator through the same checks as an
    upload from the RTL page."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from skm.followup.evidence import add_evidence, prepare
    from skm.followup.models import Realisasi, RtlItem

    operator = User.objects.filter(username=USERS[2].username).first()
    photo = prepare(SimpleUploadedFile(SAMPLE_PHOTO.name, SAMPLE_PHOTO.read_bytes(),
                                       content_type="image/jpeg"))

    ekbang = unit.sections.get(code="Ekbang")
    for order, code in enumerate(SEED_RTL_UNSUR, start=1):
        item = RtlItem.objects.create(
            unit=unit, period=period, unsur_codes=[code], program=SEED_RTL_PROGRAM,
            quarters=["2024-TW3"], horizon=RtlItem.Horizon.PENDEK, section=ekbang, order=order,
        )
        realisasi = Realisasi.objects.create(
            item=item, status=Realisasi.Status.SUDAH, tanggal=date(2024, 9, 17),
            deskripsi="Melaksanakan pembinaan pada saat Apel PPSU", hambatan="Tidak ada",
        )
        add_evidence(realisasi, [photo], operator, caption=SEED_RTL_CAPTION)
