"""Test data for the web application: a small region, users in every role, responses.

Shared by every web test; keep it small and explicit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.contrib.auth.models import User

from skm.results import summary
from skm.surveys.models import QuestionnaireVersion, Response
from skm.units.models import Layanan, Membership, Period, Unit

JAKARTA = ZoneInfo("Asia/Jakarta")
PASSWORD = "rahasia-uji-123"


@dataclass
class Region:
    kota: Unit
    kecamatan: Unit
    kelurahan: Unit  # "own" unit of the operator/viewer users
    sibling: Unit  # another kelurahan in the same kecamatan: "foreign" to them
    layanan: list[Layanan]  # of kelurahan
    sibling_layanan: list[Layanan]
    period: Period


def make_unit(name, slug, kind, parent=None, layanan=()):
    unit = Unit.objects.create(name=name, slug=slug, kind=kind, parent=parent)
    for order, layanan_name in enumerate(layanan):
        Layanan.objects.create(unit=unit, name=layanan_name, slug=slugify(layanan_name),
                               order=order)
    return unit


def slugify(text):
    from django.utils.text import slugify as django_slugify

    return django_slugify(text)


def make_region() -> Region:
    kota = make_unit("Kota Administrasi Jakarta Timur", "jakarta-timur", "kota")
    kecamatan = make_unit("Kecamatan Pulo Gadung", "pulo-gadung", "kecamatan", kota)
    kelurahan = make_unit("Kelurahan Jatinegara Kaum", "jatinegara-kaum", "kelurahan", kecamatan,
                          ["PKK", "Posyandu"])
    sibling = make_unit("Kelurahan Rawamangun", "rawamangun", "kelurahan", kecamatan,
                        ["PKK", "PPSU"])
    period = Period.get_or_create_code("2024-S2")
    return Region(
        kota, kecamatan, kelurahan, sibling,
        list(kelurahan.layanan.all()), list(sibling.layanan.all()), period,
    )


def make_user(username, unit=None, role=None, superuser=False) -> User:
    user = User.objects.create_user(username, password=PASSWORD, is_superuser=superuser,
                                    is_staff=superuser)
    if unit is not None:
        Membership.objects.create(user=user, unit=unit, role=role)
    return user


def add_responses(layanan: Layanan, period: Period, answer_rows, source="online", **profile):
    """One response per row of answers (a list of 9 values, None for blank), U1..U9."""
    version = QuestionnaireVersion.default()
    created = []
    for row in answer_rows:
        slots = {f"a{i}": v for i, v in enumerate(row, start=1)}
        created.append(Response.objects.create(
            unit=layanan.unit, layanan=layanan, period=period, questionnaire=version,
            submitted_at=datetime(period.year, period.start.month, 15, 10, tzinfo=JAKARTA),
            source=source, **slots, **profile,
        ))
    summary.apply(created)
    return created


# A small known dataset, shared by the API and `skm results` tests, whose figures are worked out
# by hand there: (layanan, U1..U9, jenis_kelamin, usia, pendidikan, pekerjaan); None = blank.
KNOWN_ROWS = [
    ("PKK", [4, 4, 4, 4, 4, 4, 4, 4, 4], "L", 34, "SMA", "Swasta"),
    ("PKK", [4, 4, 4, 4, 4, 4, 4, 4, 4], "P", 61, "S1", "PNS"),
    ("PKK", [1, 4, 4, 4, 4, 4, 4, 4, 4], "P", None, "", ""),
    ("Posyandu", [2, 2, 2, 2, 2, 2, 2, 2, None], "L", 19, "SD", "Wirausaha"),
]


def region_with_rows(rows=KNOWN_ROWS) -> Region:
    """make_region() plus ``rows`` for the kelurahan, and one sibling response that must never
    leak into the kelurahan's figures."""
    region = make_region()
    by_name = {lay.name: lay for lay in region.layanan}
    for name, answers, gender, age, education, occupation in rows:
        add_responses(by_name[name], region.period, [answers], gender=gender, age=age,
                      education=education, occupation=occupation)
    add_responses(region.sibling_layanan[0], region.period, [[1] * 9])
    return region


def rows_as_csv(path, rows=KNOWN_ROWS):
    """The same rows as a survey file for `skm compute`."""
    from tests.conftest import U, write_csv

    header = ["layanan", *U, "jenis_kelamin", "usia", "pendidikan", "pekerjaan"]
    lines = [
        [name, *("" if a is None else a for a in answers), gender,
         "" if age is None else age, education, occupation]
        for name, answers, gender, age, education, occupation in rows
    ]
    return write_csv(path, header, lines)
