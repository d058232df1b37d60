"""Shared data for the follow-up tests: the seed's RTL (Tabel 2 and BAB III of the Laporan
Hasil Tindak Lanjut Jatinegara Kaum, Semester II 2024)."""

from datetime import date

from skm.followup.models import Realisasi, RtlItem
from skm.units.models import Section

SEED_PROGRAM = "Kegiatan pembinaan melalui pelaksanaan apel"
SEED_UNSUR = ["U1", "U2", "U8"]


def ekbang(unit):
    return Section.objects.get_or_create(
        unit=unit, code="Ekbang", defaults={"name": "Seksi Ekonomi dan Pembangunan"}
    )[0]


def seed_items(region, realised=3):
    """The seed's three items, TW III 2024 by Ekbang; the first ``realised`` of them done on
    17 September 2024."""
    section = ekbang(region.kelurahan)
    items = []
    for order, code in enumerate(SEED_UNSUR):
        item = RtlItem.objects.create(
            unit=region.kelurahan, period=region.period, unsur_codes=[code],
            program=SEED_PROGRAM, quarters=["2024-TW3"], horizon="pendek", section=section,
            order=order,
        )
        if order < realised:
            Realisasi.objects.create(
                item=item, status="sudah", tanggal=date(2024, 9, 17),
                deskripsi="Melaksanakan pembinaan pada saat Apel PPSU", hambatan="Tidak ada",
            )
        items.append(item)
    return items
