"""The Laporan Hasil Tindak Lanjut (DOCX and PDF) of the demo unit, read back and checked
against the engine: the seed report, chapter by chapter."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import pypdf
import pypdfium2
import pytest
from django.core.files.base import ContentFile
from django.db import transaction
from django.test import override_settings
from docx import Document
from PIL import Image

from skm.core.demo import build_demo
from skm.followup.models import Evidence, Realisasi, RtlItem
from skm.followup.services import (
    completion,
    items_of,
    percent_text,
    planned_in,
    schedule_columns,
)
from skm.formatting import decimal_id
from skm.reports import tindak_lanjut
from skm.reports.common import tabel1
from skm.reports.registry import REPORTS, build
from skm.results.services import unit_results
from skm.units.models import Period, Unit
from tests.factories import make_region
from tests.followup.helpers import seed_items

BAB = ("BAB I", "BAB II", "BAB III", "BAB IV")

# The module fixture builds the demo once; the mark keeps the test database set up even when
# only fixture-fed tests are selected.
pytestmark = pytest.mark.django_db


def jpeg(color=(200, 40, 40), size=(640, 480)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "JPEG")
    return out.getvalue()


def add_photo(realisasi, name="apel.jpg", kind="photo", content=None):
    """A stored evidence row, as the upload form leaves one (file under MEDIA_ROOT)."""
    content = content or jpeg()
    evidence = Evidence(realisasi=realisasi, kind=kind, original_name=name, size=len(content))
    evidence.file.save(name, ContentFile(content), save=False)
    evidence.save()
    return evidence


class Built:
    """What the module fixture produced while the database existed."""


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo unit's reports, built once: the demo plus one photo and one PDF evidence on the
    first item, then rolled back so nothing leaks into other test modules."""
    built = Built()
    media = tmp_path_factory.mktemp("media")
    with (django_db_blocker.unblock(), override_settings(MEDIA_ROOT=str(media)),
          transaction.atomic()):
        build_demo(force=True)
        unit = Unit.objects.get(slug="jatinegara-kaum")
        period = Period.objects.get(code="2024-S2")
        items = list(items_of(unit, period))
        add_photo(items[0].realisasi)
        add_photo(items[0].realisasi, name="surat-undangan.pdf", kind="pdf",
                  content=b"%PDF-1.4 not read by the report")
        photos = Evidence.objects.filter(realisasi__item__in=items, kind="photo")
        built.photos = [photos.filter(realisasi__item=i).count() for i in items]
        built.photo_contents = {tindak_lanjut._read(e) for e in photos}
        built.results = unit_results(unit, period)
        built.tabel1 = tabel1(built.results)
        built.items = items
        built.columns = schedule_columns(items)
        built.ticks = [[planned_in(i, c["code"]) for c in built.columns] for i in items]
        built.completion = completion(unit, period)
        built.docx = build("tindak-lanjut", "docx", unit, period)
        built.pdf = build("tindak-lanjut", "pdf", unit, period)
        transaction.set_rollback(True)
    return built


@pytest.fixture(scope="module")
def docx(demo):
    return Document(io.BytesIO(demo.docx))


@pytest.fixture(scope="module")
def pdf_text(demo):
    reader = pypdf.PdfReader(io.BytesIO(demo.pdf))
    return [page.extract_text() for page in reader.pages]


def paragraphs(document):
    return [p.text for p in document.paragraphs]


def table_after(document, caption_start):
    """The first table after the paragraph that starts with ``caption_start``."""
    body = document.element.body
    seen = False
    for child in body.iterchildren():
        if child.tag.endswith("}p") and "".join(child.itertext()).startswith(caption_start):
            seen = True
        elif seen and child.tag.endswith("}tbl"):
            return next(t for t in document.tables if t._tbl is child)
    raise AssertionError(f"no table after {caption_start!r}")


def texts(row):
    """Cell texts of a row, merged cells once."""
    out, seen = [], set()
    for cell in row.cells:
        if id(cell._tc) not in seen:
            seen.add(id(cell._tc))
            out.append(cell.text)
    return out


# ---- registration ---------------------------------------------------------------------------

def test_registered_as_docx_and_pdf():
    kind = REPORTS["tindak-lanjut"]
    assert kind.formats == ["docx", "pdf"]
    assert str(kind.label) == "Laporan Hasil Tindak Lanjut"


# ---- DOCX -----------------------------------------------------------------------------------

def test_docx_cover_and_chapters_in_order(docx):
    text = paragraphs(docx)
    joined = "\n".join(text)
    assert ("Laporan Hasil Tindak Lanjut Pelaksanaan\nSurvei Kepuasan Masyarakat\n"
            "Semester II Tahun 2024") in joined
    for line in ("KELURAHAN JATINEGARA KAUM", "KECAMATAN PULO GADUNG",
                 "KOTA ADMINISTRASI JAKARTA TIMUR", "TAHUN 2024"):
        assert line in text
    headings = [p.text for p in docx.paragraphs if p.style.name == "Heading 1"]
    assert headings == ["BAB I\nPENDAHULUAN", "BAB II\nDESKRIPSI RENCANA TINDAK LANJUT",
                        "BAB III\nREALISASI RENCANA TINDAK LANJUT", "BAB IV\nKESIMPULAN"]
    assert "DIESKRIPSI" not in joined
    assert "{{" not in joined and "{%" not in joined


def test_docx_bab_i_names_the_unit(docx):
    joined = "\n".join(paragraphs(docx))
    assert "Dalam laporannya, World Bank menjelaskan" in joined
    assert ("maka Kelurahan Jatinegara Kaum perlu menyusun rencana tindak lanjut dan laporan "
            "hasil tindak lanjut") in joined


def test_docx_tabel_1_is_the_engines(docx, demo):
    t1, result = demo.tabel1, demo.results.result
    table = table_after(docx, "Tabel 1. Ringkasan Hasil SKM Semester II Tahun 2024")
    rows = [texts(r) for r in table.rows]
    assert rows[0] == ["Jenis Pelayanan", "Nilai Unsur Pelayanan", "IKM Layanan"]
    assert rows[1][1:-1] == [f"{n} ({c})" for c, n in zip(t1.codes, t1.names, strict=True)]
    assert rows[1][1] == "Persyaratan (U1)"
    body = rows[2:2 + len(result.layanan)]
    for row, group in zip(body, result.layanan, strict=True):
        assert row[0] == group.name
        assert row[1:-1] == [decimal_id(group.nrr(c)) for c in t1.codes]
        assert row[-1] == decimal_id(group.ikm)
    assert [r[0] for r in body][:3] == ["Jumantik", "Ketertiban Umum", "PKK"]
    average, mutu, last = rows[-3:]
    overall = result.overall
    assert average == ["Rata-rata IKM per Unsur",
                       *[decimal_id(overall.nrr(c)) for c in t1.codes], decimal_id(overall.ikm)]
    assert mutu == ["Mutu Layanan", *["A"] * 9, "A"]
    assert last == ["Rata-rata IKM Layanan", "98,72 (A atau Sangat baik)"]
    assert last[1] == f"{decimal_id(overall.konversi)} ({t1.grade_words})"


def test_docx_tabel_ii_and_the_priority_count(docx):
    table = table_after(docx, "Tabel II.")
    rows = [texts(r) for r in table.rows]
    assert rows[0][0] == "Nilai Persepsi"
    assert rows[1] == ["1", "1,00 - 2,59", "25,00 - 64,99", "D", "Tidak baik"]
    assert rows[4] == ["4", "3,54 - 4,00", "88,31 - 100,00", "A", "Sangat baik"]
    joined = "\n".join(paragraphs(docx))
    # the seed says "1 unsur" over three prioritised unsur; the report counts them
    assert ("skala prioritas perbaikan unsur yang terdiri dari 3 unsur dengan nilai "
            "terendah") in joined


def test_docx_tabel_2_ticks_where_planned(docx, demo):
    table = table_after(docx, "Tabel 2. Rencana Tindak Lanjut Pelaksanaan SKM")
    rows = [texts(r) for r in table.rows]
    labels = [c["label"] for c in demo.columns]
    assert labels == ["TW III"]
    assert rows[0] == ["No", "Prioritas Unsur", "Program / Kegiatan (Rencana Tindak Lanjut)",
                       "2024", "Penanggung Jawab"]
    assert rows[1][3:-1] == labels
    names = ["Persyaratan", demo.results.questionnaire.get("U2").name,
             demo.results.questionnaire.get("U8").name]
    for no, (row, ticks, name) in enumerate(zip(rows[2:], demo.ticks, names, strict=True), 1):
        assert row[:3] == [f"{no}.", name, "1. Kegiatan pembinaan melalui pelaksanaan apel"]
        assert row[3:-1] == ["✓" if t else "" for t in ticks]
        assert row[-1] == "Ekbang"
    assert all(all(t) for t in demo.ticks)


def test_docx_bab_iii_with_the_photo_embedded(docx, demo):
    table = table_after(docx, "Berdasarkan rencana tindak lanjut yang telah disusun")
    rows = [texts(r) for r in table.rows]
    assert rows[0][2] == "Apakah RTL Telah Ditindaklanjuti (Sudah/Belum)"
    assert len(rows) == 1 + len(demo.items)
    for no, row in enumerate(rows[1:], 1):
        assert row[0] == str(no)
        assert row[1] == "1. Kegiatan pembinaan melalui pelaksanaan apel"
        assert row[2:5] == ["Sudah", "17 September 2024",
                            "Melaksanakan pembinaan pada saat Apel PPSU"]
        assert row[-1] == "Tidak ada"
    assert "surat-undangan.pdf" in rows[1][5]
    # the demo's photo on every item, and the test's second photo on the first
    assert demo.photos == [2, 1, 1]
    with zipfile.ZipFile(io.BytesIO(demo.docx)) as package:
        media = {package.read(n) for n in package.namelist() if n.startswith("word/media/")}
    assert media == demo.photo_contents  # the (thumbnail) JPEGs themselves, each stored once
    for row, count in zip(table.rows[1:], demo.photos, strict=True):
        drawings = row._tr.xpath(".//w:drawing")
        assert len(drawings) == count
        for drawing in drawings:
            extent = drawing.xpath(".//wp:extent")[0]
            assert int(extent.get("cx")) == 40 * 36000  # 4 cm wide


def test_docx_bab_iv_concludes_100_percent(docx, demo):
    done, planned, percent = demo.completion
    assert (done, planned) == (3, 3)
    joined = "\n".join(paragraphs(docx))
    assert ("Kelurahan Jatinegara Kaum telah menindaklanjuti rencana tindak lanjut sebanyak "
            f"{percent_text(percent)}.") in joined
    assert "sebanyak 100%." in joined
    assert "(3 dari 3)" in joined
    assert "Lurah Jatinegara Kaum" in joined
    assert "Jakarta Timur, " in joined


def test_docx_is_a4_with_landscape_tables(docx):
    sizes = [(round(s.page_width.cm, 1), round(s.page_height.cm, 1)) for s in docx.sections]
    assert sizes == [(21.0, 29.7), (29.7, 21.0), (21.0, 29.7)]
    for table in docx.tables:
        assert table.style.name == "Table Grid"
        grid = table._tbl.tblGrid.findall(
            "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}gridCol")
        widest = max(len(r._tr.findall(
            "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}tc"))
            for r in table.rows)
        assert len(grid) == widest  # the grid agrees with the cells after the column loops
    # Tabel 1, Tabel 2 and BAB III fill the landscape text width after the column loops
    wide = docx.sections[1]
    text_width = wide.page_width.twips - wide.left_margin.twips - wide.right_margin.twips
    for table in (docx.tables[0], docx.tables[2], docx.tables[3]):
        grid = table._tbl.tblGrid.findall(
            "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}gridCol")
        total = sum(int(c.get(
            "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}w")) for c in grid)
        assert abs(total - text_width) <= len(grid)
    # Word refuses a table cell without a paragraph (a loop that produced nothing)
    assert not docx.element.body.xpath(".//w:tc[not(w:p)]")


# ---- PDF ------------------------------------------------------------------------------------

def flat(text):
    return " ".join(text.split())


def test_pdf_chapters_and_figures(pdf_text, demo):
    cover = pdf_text[0]
    assert "Laporan Hasil Tindak Lanjut Pelaksanaan" in cover
    assert "Semester II Tahun 2024" in cover
    assert "KELURAHAN JATINEGARA KAUM" in cover and "TAHUN 2024" in cover
    positions = [next(i for i, page in enumerate(pdf_text) if page.startswith(bab + "\n"))
                 for bab in BAB]
    assert positions == sorted(positions)
    joined = flat("\n".join(pdf_text))
    assert "DESKRIPSI RENCANA TINDAK LANJUT" in joined
    assert "Tabel 1. Ringkasan Hasil SKM Semester II Tahun 2024" in joined
    t1 = demo.tabel1
    assert t1.average["name"] in joined
    for row in t1.rows:
        assert " ".join([row["name"], *row["nrr"], row["ikm"]]) in joined
    assert "98,72 (A atau Sangat baik)" in joined
    assert "3,54 - 4,00 88,31 - 100,00 A Sangat baik" in joined
    assert "terdiri dari 3 unsur dengan nilai terendah" in joined
    assert "TW III" in joined and "Ekbang" in joined
    assert "17 September 2024" in joined and "surat-undangan.pdf" in joined
    assert "sebanyak 100%." in joined and "(3 dari 3)" in joined


def test_pdf_embeds_the_photos(demo, pdf_text):
    reader = pypdf.PdfReader(io.BytesIO(demo.pdf))
    bab_iii = next(i for i, page in enumerate(pdf_text) if page.startswith("BAB III"))
    sizes = {image.image.size for image in reader.pages[bab_iii].images}
    assert sizes == {Image.open(io.BytesIO(c)).size for c in demo.photo_contents}


def test_pdf_pages_render(demo, tmp_path):
    out = Path(os.environ.get("SKM_RENDER_DIR") or tmp_path)
    out.mkdir(parents=True, exist_ok=True)
    document = pypdfium2.PdfDocument(demo.pdf)
    for index in range(min(len(document), 5)):
        image = document[index].render(scale=1).to_pil()
        path = out / f"tindak-lanjut-{index + 1}.png"
        image.save(path)
        lo, hi = image.convert("L").getextrema()
        assert lo < 128 < hi, f"page {index + 1} looks blank"


# ---- smaller cases, factory-built ----------------------------------------------------------

def small_region():
    from tests.factories import add_responses

    region = make_region()
    for lay in region.layanan:
        add_responses(lay, region.period, [[4, 3, 4, 4, 4, 4, 4, 2, 4], [3] * 9])
    return region


def test_an_unrealised_item_reads_belum_and_counts_in_the_percentage(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    region = small_region()
    items = seed_items(region, realised=1)
    items[1].months = ["2024-11"]
    items[1].quarters = []
    items[1].save()
    Realisasi.objects.create(item=items[2], status="belum", deskripsi="Menunggu jadwal")
    data = build("tindak-lanjut", "docx", region.kelurahan, region.period)
    document = Document(io.BytesIO(data))
    plan = [texts(r) for r in table_after(document, "Tabel 2.").rows]
    # one item in TW III, one in November (ticked in TW IV): quarters, the coarser grain
    assert plan[1][3:-1] == ["TW III", "TW IV"]
    assert [r[3:-1] for r in plan[2:]] == [["✓", ""], ["", "✓"], ["✓", ""]]
    real = [texts(r) for r in table_after(document, "Berdasarkan rencana").rows]
    assert [r[2:4] for r in real[1:]] == [["Sudah", "17 September 2024"], ["Belum", ""],
                                          ["Belum", ""]]
    done, planned, percent = completion(region.kelurahan, region.period)
    joined = "\n".join(paragraphs(document))
    assert percent_text(percent) == "33,33%"
    assert f"sebanyak {percent_text(percent)}." in joined and f"({done} dari {planned})" in joined
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        assert not [n for n in package.namelist() if n.startswith("word/media/")]


def test_months_only_give_month_columns_and_a_two_year_heading():
    region = small_region()
    items = seed_items(region, realised=0)
    RtlItem.objects.filter(pk=items[0].pk).update(quarters=[], months=["2024-12"])
    RtlItem.objects.filter(pk=items[1].pk).update(quarters=[], months=["2025-01"])
    RtlItem.objects.filter(pk=items[2].pk).update(quarters=[], months=["2024-12", "2025-01"])
    document = Document(io.BytesIO(build("tindak-lanjut", "docx", region.kelurahan,
                                         region.period)))
    plan = [texts(r) for r in table_after(document, "Tabel 2.").rows]
    assert plan[0][3:5] == ["2024", "2025"]
    assert plan[1][3:5] == ["Des", "Jan"]
    assert [r[3:5] for r in plan[2:]] == [["✓", ""], ["", "✓"], ["✓", "✓"]]
    joined = "\n".join(paragraphs(document))
    assert "sebanyak 0%." in joined


def test_without_rtl_the_report_says_so():
    region = small_region()
    for fmt in ("docx", "pdf"):
        data = build("tindak-lanjut", fmt, region.kelurahan, region.period)
        if fmt == "docx":
            text = "\n".join(paragraphs(Document(io.BytesIO(data))))
        else:
            text = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(data)).pages)
        assert "Belum ada rencana tindak lanjut yang disusun" in text
        assert "belum menyusun rencana tindak lanjut" in text
        assert "Tabel 1. Ringkasan Hasil SKM" in text


def test_program_lines_are_numbered_as_in_the_seed():
    assert tindak_lanjut.program_text("Apel pagi\nSosialisasi") == "1. Apel pagi\n2. Sosialisasi"
    assert tindak_lanjut.program_text("1. Apel\n2. Rapat") == "1. Apel\n2. Rapat"

