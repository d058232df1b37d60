"""The Laporan Survei Kepuasan Masyarakat (kind ``skm``), DOCX and PDF, read back and checked
against the engine's figures: the demo unit (Jatinegara Kaum 2024-S2) in full, then small
regions for the edge cases (no responses, a layanan without answers, another questionnaire,
ties, trend, the previous period's follow-up)."""

from __future__ import annotations

import io
import os
from datetime import date, datetime
from pathlib import Path

import pypdf
import pypdfium2
import pytest
from django.core.management import call_command
from django.db import transaction
from docx import Document
from PIL import Image

from skm.core.demo import build_demo
from skm.engine import ranking, round_half_up
from skm.engine.profile import FIELD_LABELS
from skm.followup.models import Realisasi, RtlItem
from skm.followup.services import items_of, tanggal_id
from skm.formatting import decimal_id, integer_id, percent_id
from skm.reports import laporan_skm
from skm.reports.common import tabel1
from skm.reports.registry import REPORTS, build
from skm.results import summary
from skm.results.services import trend, unit_results
from skm.surveys.models import QuestionnaireUnsur, QuestionnaireVersion, Response
from skm.units.models import Layanan, Period, Population, Unit
from tests.factories import JAKARTA, add_responses, make_region
from tests.followup.helpers import ekbang

CHAPTERS = ("RINGKASAN EKSEKUTIF", "BAB I\nPENDAHULUAN", "BAB II\nPENGUMPULAN DATA",
            "BAB III\nHASIL PENGOLAHAN DATA", "BAB IV\nANALISIS HASIL SURVEI",
            "BAB V\nKESIMPULAN", "LAMPIRAN")


class Built:
    """What the module fixture produced while the database existed."""


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo unit's report in both formats, built once, then rolled back."""
    built = Built()
    with django_db_blocker.unblock(), transaction.atomic():
        build_demo(force=True)
        unit = Unit.objects.get(slug="jatinegara-kaum")
        period = Period.objects.get(code="2024-S2")
        built.results = unit_results(unit, period)
        built.tabel1 = tabel1(built.results)
        built.trend = trend(unit, period)
        built.items = list(items_of(unit, period))
        built.docx = build("skm", "docx", unit, period)
        built.pdf = build("skm", "pdf", unit, period)
        transaction.set_rollback(True)
    return built


@pytest.fixture(scope="module")
def docx(demo):
    return Document(io.BytesIO(demo.docx))


@pytest.fixture(scope="module")
def pdf_text(demo):
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(demo.pdf)).pages]


# ---- helpers to read a DOCX back ------------------------------------------------------------

def headings(document, level=1):
    return [p.text for p in document.paragraphs if p.style.name == f"Heading {level}"]


def body_text(document) -> str:
    return "\n".join(p.text for p in document.paragraphs)


def table_with_header(document, first_cell):
    found = [t for t in document.tables if t.rows[0].cells[0].text == first_cell]
    assert found, f"no table headed {first_cell!r}"
    return found[0]


def texts(row):
    """Cell texts of a row, merged cells once."""
    out, seen = [], set()
    for cell in row.cells:
        if id(cell._tc) not in seen:
            seen.add(id(cell._tc))
            out.append(cell.text)
    return out


def render_pages(data: bytes, name: str, tmp_path: Path, pages=3) -> list[Path]:
    out_dir = Path(os.environ.get("SKM_RENDER_DIR") or tmp_path)
    out_dir.mkdir(parents=True, exist_ok=True)
    document = pypdfium2.PdfDocument(data)
    paths = []
    for index in range(min(pages, len(document))):
        path = out_dir / f"{name}-{index + 1}.png"
        document[index].render(scale=1).to_pil().save(path)
        paths.append(path)
    return paths


# ---- the demo unit, DOCX ----------------------------------------------------------------------

def test_registered_as_skm_in_both_formats():
    kind = REPORTS["skm"]
    assert kind.formats == ["docx", "pdf"]
    assert str(kind.label) == "Laporan Survei Kepuasan Masyarakat"


def test_docx_has_the_chapters_in_order_as_word_headings(docx):
    assert headings(docx) == list(CHAPTERS)
    section = docx.sections[0]
    assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297


def test_docx_cover_names_unit_region_and_period(docx):
    cover = [p.text for p in docx.paragraphs[:30] if p.text]
    for line in ("LAPORAN SURVEI KEPUASAN MASYARAKAT", "SEMESTER II TAHUN 2024",
                 "KELURAHAN JATINEGARA KAUM", "KECAMATAN PULO GADUNG",
                 "KOTA ADMINISTRASI JAKARTA TIMUR", "TAHUN 2024"):
        assert line in cover


def test_docx_summary_states_the_engine_figures(demo, docx):
    overall = demo.results.result.overall
    summary_table = {r.cells[0].text: r.cells[1].text
                     for r in table_with_header(docx, "IKM konversi").rows}
    konversi = decimal_id(overall.konversi)
    assert konversi == "98,72"
    assert summary_table["IKM konversi"].startswith(konversi)
    assert summary_table["Mutu pelayanan"] == overall.grade.mutu == "A"
    assert summary_table["Kinerja unit pelayanan"] == overall.grade.kinerja
    assert summary_table["Jumlah responden"].startswith(f"{integer_id(demo.results.respondents)} ")
    lowest = demo.results.lowest[0]
    assert lowest.codes == ("U1",)  # the seed: U1 3,94 is lowest, the rest tie at 3,95 rounded
    assert summary_table["Unsur terendah"] == (
        f"U1 Persyaratan dengan NRR {decimal_id(lowest.nrr, 4)}")
    highest = ranking(overall.nrr_map())[-1]
    assert summary_table["Unsur tertinggi"].startswith(
        " dan ".join(f"{c} " for c in highest.codes).strip())
    assert decimal_id(highest.nrr, 4) in summary_table["Unsur tertinggi"]
    short = [c.layanan.name for c in demo.results.samples if c.short]
    assert short == ["Ketertiban Umum", "Posyandu"]
    assert summary_table["Kecukupan sampel"].endswith("belum memenuhi pada Ketertiban Umum dan "
                                                      "Posyandu.")


def test_docx_bab1_cites_the_legal_basis(docx):
    text = body_text(docx)
    for law in ("Undang-Undang Nomor 25 Tahun 2009", "Peraturan Pemerintah Nomor 96 Tahun 2012",
                "Nomor 14 Tahun 2017"):
        assert law in text
    assert "Tujuannya adalah:" in text


def test_docx_bab2_method_time_and_samples(demo, docx):
    text = body_text(docx)
    assert "9 unsur pelayanan" in text and "skala 1 sampai 4" in text
    assert "bobot sama (1/n atas unsur yang dijawab)" in text
    assert "1 Juli 2024 sampai dengan 31 Desember 2024" in text
    table = table_with_header(docx, "Layanan")
    rows = [texts(r) for r in table.rows[1:]]
    assert len(rows) == len(demo.results.samples) == 7
    for row, check in zip(rows, demo.results.samples, strict=True):
        assert row == [check.layanan.name, integer_id(check.population),
                       integer_id(check.minimum), integer_id(check.respondents),
                       "Kurang" if check.short else "Cukup"]


def test_docx_bab3_profile_nrr_layanan_and_tabel1(demo, docx):
    results = demo.results
    profile = table_with_header(docx, "Karakteristik")
    rows = [texts(r) for r in profile.rows[1:]]
    gender = results.profile["jenis_kelamin"]
    assert rows[0] == [FIELD_LABELS["jenis_kelamin"], "L", integer_id(gender["L"]),
                       percent_id(gender["L"], results.respondents)]
    assert rows[1][1:] == ["P", integer_id(gender["P"]), percent_id(gender["P"],
                                                                    results.respondents)]
    assert sum(int(r[2].replace(".", "")) for r in rows[:2]) <= results.respondents

    nrr = table_with_header(docx, "No")
    overall = results.result.overall
    for row, code in zip(nrr.rows[1:], results.questionnaire.codes, strict=True):
        cells = texts(row)
        assert cells[1:5] == [code, results.questionnaire.get(code).name,
                              decimal_id(overall.nrr(code)),
                              decimal_id(overall.unsur[code].konversi)]

    layanan = [t for t in docx.tables if texts(t.rows[0])[:2] == ["No", "Layanan"]][0]
    for row, group in zip(layanan.rows[1:], results.result.layanan, strict=True):
        assert texts(row)[1:5] == [group.name, integer_id(group.respondents),
                                   decimal_id(group.ikm), decimal_id(group.konversi)]

    matrix = table_with_header(docx, "Jenis Layanan")
    assert texts(matrix.rows[0]) == ["Jenis Layanan", "Resp.", *demo.tabel1.codes, "IKM Layanan"]
    for row, expected in zip(matrix.rows[1:], demo.tabel1.rows, strict=False):
        assert texts(row) == [expected["name"], expected["respondents"], *expected["nrr"],
                              expected["ikm"]]
    assert texts(matrix.rows[-1]) == [
        "Rata-rata IKM Layanan (konversi): 98,72 (A atau Sangat baik)"]
    assert matrix.style.name == "Table Grid"


def test_docx_tabel2_and_three_charts(docx):
    tabel2 = table_with_header(docx, "Nilai Persepsi")
    assert [texts(r)[2] for r in tabel2.rows[1:]] == [
        "25,00 - 64,99", "65,00 - 76,60", "76,61 - 88,30", "88,31 - 100,00"]
    assert len(docx.inline_shapes) == 3
    assert all(round(s.width.mm) == laporan_skm.CHART_WIDTH_MM for s in docx.inline_shapes)
    text = body_text(docx)
    for caption in ("Gambar 3.1. Distribusi Jawaban per Unsur",
                    "Gambar 3.2. IKM Konversi per Layanan", "Gambar 4.1. Tren IKM Konversi"):
        assert caption in text


def test_docx_bab4_analysis_rtl_and_trend(demo, docx):
    text = body_text(docx)
    assert "nilai terendah (dinilai dari NRR yang belum dibulatkan) adalah U1 Persyaratan" in text
    rtl = [t for t in docx.tables if texts(t.rows[0])[:2] == ["No", "Prioritas Unsur"]][0]
    rows = [texts(r) for r in rtl.rows[1:]]
    assert len(rows) == len(demo.items) == 3
    assert [r[1] for r in rows] == ["Persyaratan", "Sistem, Mekanisme, dan Prosedur",
                                    "Penanganan Pengaduan, Saran dan Masukan"]
    assert all(r[2] == "Kegiatan pembinaan melalui pelaksanaan apel" for r in rows)
    assert all(r[3].startswith("TW III 2024") and r[4] == "Ekbang" for r in rows)
    (before, earlier), (_, now) = demo.trend[-2], demo.trend[-1]
    change = round_half_up(now.overall.konversi, 2) - round_half_up(earlier.overall.konversi, 2)
    assert change > 0  # the demo's first semester is a little lower
    assert (f"Dibandingkan {before.label} ({decimal_id(earlier.overall.konversi)}), IKM konversi "
            f"Semester II Tahun 2024 (98,72) naik {decimal_id(change)} poin.") in text


def test_docx_conclusion_and_appendices(demo, docx):
    text = body_text(docx)
    assert ("Indeks Kepuasan Masyarakat Kelurahan Jatinegara Kaum Semester II Tahun 2024 adalah "
            "98,72 dengan mutu pelayanan A") in text
    kuesioner = [t for t in docx.tables if texts(t.rows[0])[:3] == ["No", "Unsur", "Pertanyaan"]]
    rows = [texts(r) for r in kuesioner[0].rows[1:]]
    assert rows[0][1] == "U1 Persyaratan" and rows[0][3:] == list(
        demo.results.questionnaire.get("U1").labels)
    assert rows[7][1].startswith("U8 Penanganan Pengaduan")
    processing = [t for t in docx.tables if texts(t.rows[0])[:2] == ["Layanan", "Unsur"]][0]
    first = texts(processing.rows[1])
    counts = demo.results.tallies["Jumantik"].counts("U1").counts
    assert first == ["Jumantik", "U1", *map(integer_id, counts), integer_id(sum(counts)),
                     demo.tabel1.rows[0]["nrr"][0]]
    assert "Lampiran 3. Tindak Lanjut Periode Sebelumnya (Semester I Tahun 2024)" in headings(
        docx, 2)
    assert "Rencana tindak lanjut periode sebelumnya: tidak ada." in text


# ---- the demo unit, PDF -------------------------------------------------------------------------

def test_pdf_has_every_chapter_and_the_figures(demo, pdf_text):
    assert "LAPORAN SURVEI KEPUASAN MASYARAKAT" in pdf_text[0]
    assert "KELURAHAN JATINEGARA KAUM" in pdf_text[0]
    joined = "\n".join(pdf_text)
    for chapter in CHAPTERS:
        assert chapter in joined
    assert "konversi 98,72" in " ".join(pdf_text[1].split())
    assert "U1 Persyaratan dengan NRR " + decimal_id(demo.results.lowest[0].nrr, 4) in joined
    flat = " ".join(joined.split())
    for row in demo.tabel1.rows:
        assert f"{row['name']} {row['respondents']} {' '.join(row['nrr'])} {row['ikm']}" in flat
    assert "Rata-rata IKM Layanan (konversi): 98,72 (A atau Sangat baik)" in flat
    assert "Kegiatan pembinaan melalui pelaksanaan apel" in flat
    assert "Rencana tindak lanjut periode sebelumnya: tidak ada." in flat


def test_pdf_embeds_three_charts_and_renders(demo, tmp_path):
    reader = pypdf.PdfReader(io.BytesIO(demo.pdf))
    # WeasyPrint shares the image resources between pages: count distinct pictures
    pictures = {image.data for page in reader.pages for image in page.images}
    assert len(pictures) == 3
    for path in render_pages(demo.pdf, "laporan-skm", tmp_path):
        grey = Image.open(path).convert("L")
        low, high = grey.getextrema()
        assert low < 100 and high > 200  # ink on paper, not a blank page


# ---- small regions: the edge cases ---------------------------------------------------------------

def docx_of(unit, period):
    return Document(io.BytesIO(build("skm", "docx", unit, period)))


def pdf_flat(unit, period):
    data = build("skm", "pdf", unit, period)
    return " ".join("\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(data)).pages)
                    .split())


@pytest.mark.django_db
def test_a_period_without_responses_says_so(tmp_path):
    region = make_region()
    document = docx_of(region.kelurahan, region.period)
    text = body_text(document)
    assert headings(document) == list(CHAPTERS)
    assert "Belum ada jawaban survei untuk Kelurahan Jatinegara Kaum pada Semester II Tahun 2024" \
        in text
    assert "Tidak ada data: belum ada jawaban survei pada periode ini." in text
    assert len(document.inline_shapes) == 0
    assert not [t for t in document.tables if t.rows[0].cells[0].text == "Jenis Layanan"]
    flat = pdf_flat(region.kelurahan, region.period)
    assert "Tidak ada data: belum ada jawaban survei pada periode ini." in flat
    assert "Populasi pengguna layanan belum diisi" in flat


@pytest.mark.django_db
def test_a_layanan_without_answers_is_listed_without_figures():
    region = make_region()
    pkk, posyandu = region.layanan
    add_responses(pkk, region.period, [[4] * 9, [3] * 9])
    Population.objects.create(layanan=pkk, period=region.period, size=10)
    document = docx_of(region.kelurahan, region.period)
    layanan = [t for t in document.tables if texts(t.rows[0])[:2] == ["No", "Layanan"]][0]
    rows = [texts(r) for r in layanan.rows[1:]]
    assert rows[1] == ["2", "Posyandu", "0", "-", "-", "-", "tidak ada jawaban"]
    results = unit_results(region.kelurahan, region.period)
    assert rows[0][4] == decimal_id(results.result.layanan[0].konversi)
    matrix = table_with_header(document, "Jenis Layanan")
    assert [texts(r)[0] for r in matrix.rows[1:-3]] == ["PKK"]
    samples = [texts(r) for r in table_with_header(document, "Layanan").rows[1:]]
    assert samples == [["PKK", "10", "10", "2", "Kurang"],
                       ["Posyandu", "-", "-", "0", "Populasi belum diisi"]]


@pytest.mark.django_db
def test_tied_lowest_unsur_are_named_together():
    region = make_region()
    add_responses(region.layanan[0], region.period, [[4, 3, 3, 4, 4, 4, 4, 4, 4]] * 3)
    document = docx_of(region.kelurahan, region.period)
    table = {r.cells[0].text: r.cells[1].text
             for r in table_with_header(document, "IKM konversi").rows}
    assert table["Unsur terendah"] == ("U2 Sistem, Mekanisme, dan Prosedur dan U3 Waktu "
                                       "Penyelesaian dengan NRR 3,0000 (nilai sama persis)")


def custom_version():
    version = QuestionnaireVersion.objects.create(name="Layanan daring", version="daring-1")
    for position, (code, name) in enumerate(
            [("K1", "Kemudahan akses"), ("K2", "Kecepatan situs"), ("K3", "Kejelasan info")],
            start=1):
        QuestionnaireUnsur.objects.create(
            questionnaire=version, position=position, code=code, name=name,
            question=f"Bagaimana {name.lower()}?", label1="Buruk", label2="Cukup",
            label3="Baik", label4="Sangat baik")
    return version


@pytest.mark.django_db
def test_a_custom_questionnaire_with_other_codes():
    region = make_region()
    version = custom_version()
    region.kelurahan.questionnaire = version
    region.kelurahan.save()
    pkk = region.layanan[0]
    rows = [Response.objects.create(
        unit=region.kelurahan, layanan=pkk, period=region.period, questionnaire=version,
        submitted_at=datetime(2024, 8, 1, 10, tzinfo=JAKARTA), source="online",
        a1=a1, a2=4, a3=3) for a1 in (2, 4)]
    summary.apply(rows)
    results = unit_results(region.kelurahan, region.period)
    document = docx_of(region.kelurahan, region.period)
    matrix = table_with_header(document, "Jenis Layanan")
    assert texts(matrix.rows[0]) == ["Jenis Layanan", "Resp.", "K1", "K2", "K3", "IKM Layanan"]
    assert texts(matrix.rows[1]) == ["PKK", "2", "3,00", "4,00", "3,00",
                                     decimal_id(results.result.layanan[0].ikm)]
    text = body_text(document)
    assert "3 unsur pelayanan (K1 Kemudahan akses, K2 Kecepatan situs dan K3 Kejelasan info)" \
        in text
    kuesioner = [t for t in document.tables if texts(t.rows[0])[:3] == ["No", "Unsur",
                                                                       "Pertanyaan"]][0]
    assert [texts(r)[1] for r in kuesioner.rows[1:]] == [
        "K1 Kemudahan akses", "K2 Kecepatan situs", "K3 Kejelasan info"]
    table = {r.cells[0].text: r.cells[1].text
             for r in table_with_header(document, "IKM konversi").rows}
    assert table["Unsur terendah"].startswith("K1 Kemudahan akses dan K3 Kejelasan info")
    assert "K2 Kecepatan situs" in pdf_flat(region.kelurahan, region.period)


@pytest.mark.django_db
def test_previous_period_followup_and_trend_down():
    region = make_region()
    first = Period.get_or_create_code("2024-S1")
    pkk = region.layanan[0]
    add_responses(pkk, first, [[4] * 9] * 2)
    add_responses(pkk, region.period, [[4] * 9, [3] * 9])
    section = ekbang(region.kelurahan)
    done = RtlItem.objects.create(unit=region.kelurahan, period=first, unsur_codes=["U1", "U2"],
                                  program="Papan informasi persyaratan", quarters=["2024-TW2"],
                                  section=section, order=0)
    Realisasi.objects.create(item=done, status="sudah", tanggal=date(2024, 5, 3))
    RtlItem.objects.create(unit=region.kelurahan, period=first, unsur_codes=["U8"],
                           program="Kotak saran", quarters=["2024-TW2"], section=section,
                           order=1)
    document = docx_of(region.kelurahan, region.period)
    previous = [t for t in document.tables if texts(t.rows[0])[-2:] == ["Status",
                                                                        "Tanggal Realisasi"]][0]
    rows = [texts(r) for r in previous.rows[1:]]
    assert rows == [
        ["1.", "Persyaratan dan Sistem, Mekanisme, dan Prosedur", "Papan informasi persyaratan",
         "TW II 2024", "Ekbang", "Sudah", tanggal_id(date(2024, 5, 3))],
        ["2.", "Penanganan Pengaduan, Saran dan Masukan", "Kotak saran", "TW II 2024", "Ekbang",
         "Belum", ""],
    ]
    text = body_text(document)
    assert "1 dari 2 rencana tindak lanjut telah direalisasikan (50%)." in text
    assert "Rencana tindak lanjut periode ini belum disusun." in text
    points = trend(region.kelurahan, region.period)
    before, now = points[-2][1].overall.konversi, points[-1][1].overall.konversi
    drop = round_half_up(before, 2) - round_half_up(now, 2)
    assert decimal_id(before) == "100,00"
    assert f"turun {decimal_id(drop)} poin" in text


@pytest.mark.django_db
@pytest.mark.parametrize("code, previous", [
    ("2024-S2", "2024-S1"), ("2024-S1", "2023-S2"), ("2024-TW1", "2023-TW4"),
    ("2024-TW3", "2024-TW2"), ("2024", "2023"),
])
def test_previous_period_is_the_one_of_the_same_kind_just_before(code, previous):
    Period.get_or_create_code(previous)
    assert laporan_skm.previous_period(Period.get_or_create_code(code)).code == previous


@pytest.mark.django_db
def test_previous_period_that_was_never_created_is_none():
    assert laporan_skm.previous_period(Period.get_or_create_code("2030-S1")) is None


@pytest.mark.django_db
def test_report_command_writes_both_formats(tmp_path):
    region = make_region()
    add_responses(region.layanan[0], region.period, [[4] * 9])
    for fmt, magic in (("docx", b"PK"), ("pdf", b"%PDF")):
        out = tmp_path / f"laporan.{fmt}"
        call_command("report", "skm", unit=region.kelurahan.slug, period="2024-S2",
                     out=str(out))
        assert out.read_bytes().startswith(magic)


@pytest.mark.django_db
def test_a_unit_whose_layanan_are_all_inactive_still_builds():
    region = make_region()
    Layanan.objects.within([region.kelurahan]).update(active=False)
    document = docx_of(region.kelurahan, region.period)
    assert "Populasi pengguna layanan belum diisi" in body_text(document)
