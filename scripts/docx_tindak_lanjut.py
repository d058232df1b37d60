"""Write skm/reports/docx/tindak-lanjut.docx: the built-in DOCX template of the Laporan Hasil
Tindak Lanjut (docxtpl tags in a python-docx document).

The template is committed together with this script; run the script again after changing it.
A unit edits a copy of the output in Word (``skm report-template tindak-lanjut --out F.docx``)
to put in its letterhead and signature; the Jinja variables are listed in docs/reports.md.

    .venv/bin/python scripts/docx_tindak_lanjut.py [OUT.docx]

Layout: cover and BAB I on portrait A4, BAB II and BAB III (the wide tables) on landscape A4,
BAB IV and the signature on portrait again. Tables are real Word tables ("Table Grid"), their
unsur and quarter columns made by ``{%tc for %}`` column loops and their rows by ``{%tr for %}``.
"""

from __future__ import annotations

import sys
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

OUT = (Path(__file__).resolve().parent.parent / "skm" / "reports" / "docx"
       / "tindak-lanjut.docx")

FONT = "Times New Roman"
TABLE_PT = 9
A4 = (Cm(21.0), Cm(29.7))
MARGINS = {"top_margin": Cm(2.5), "bottom_margin": Cm(2.2), "left_margin": Cm(2.5),
           "right_margin": Cm(2.0)}

BAB_I = (
    "Dalam laporannya, World Bank menjelaskan bahwa pelayanan publik yang berkualitas hanya "
    "dapat dicapai jika ekspektasi dan kebutuhan dari pengguna layanan diakomodir dalam proses "
    "penyediaan pelayanan. Hal ini juga sejalan dengan salah satu asas dari penyelenggaraan "
    "pelayanan publik yang tertulis dalam Undang - Undang Nomor 25 Tahun 2009 tentang Pelayanan "
    "Publik yaitu asas partisipatif. Asas partisipatif selanjutnya diatur dalam bab khusus "
    "Pengikutsertaan Masyarakat dalam Penyelenggaraan Pelayanan Publik pada Peraturan Pemerintah "
    "Nomor 96 tahun 2012 tentang Pelaksanaan Undang - Undang Nomor 25 Tahun 2009 tentang "
    "Pelayanan Publik.",
    "Selanjutnya, Kementerian Pendayagunaan Aparatur Negara dan Reformasi Birokrasi (Kementerian "
    "PANRB) sebagai pembina pelayanan publik nasional telah merumuskan berbagai instrumen "
    "pengikutsertaan masyarakat dalam pelayanan publik untuk menilai kinerja penyelenggara "
    "pelayanan publik. Salah satu instrumen tersebut adalah Survei Kepuasan Masyarakat (SKM) "
    "yang lebih lanjut diatur dalam Peraturan Menteri Pendayagunaan Aparatur Negara dan "
    "Reformasi Birokrasi Nomor 14 Tahun 2017 tentang Pedoman Penyusunan Survei Kepuasan "
    "Masyarakat Unit Penyelenggara Pelayanan Publik. Survei Kepuasan Masyarakat merupakan "
    "kegiatan pengukuran secara komprehensif tentang tingkat kepuasan masyarakat terhadap "
    "kualitas layanan yang diberikan oleh penyelenggara pelayanan publik.",
)
BAB_I_LAST = (
    "Terdapat beberapa tujuan dari pelaksanaan SKM. Pertama, untuk mendorong partisipasi "
    "masyarakat sebagai pengguna layanan dalam menilai kinerja penyelenggara pelayanan. Kedua, "
    "mendorong penyelenggara pelayanan menjadi lebih inovatif dalam menyelenggarakan pelayanan "
    "publik. Terakhir, untuk mengukur kecenderungan tingkat kepuasan masyarakat terhadap "
    "pelayanan publik. Untuk mencapai berbagai tujuan tersebut, maka {{ unit_name }} perlu "
    "menyusun rencana tindak lanjut dan laporan hasil tindak lanjut sesuai dengan peraturan yang "
    "berlaku. Hal ini dimaksudkan agar proses ",
    "continuous improvement",
    " dalam proses layanan publik dapat dipastikan dan pada akhirnya terjadi peningkatan "
    "kualitas pelayanan publik.",
)


# ---- helpers --------------------------------------------------------------------------------

def set_page(section, landscape=False):
    width, height = A4
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (height, width) if landscape else (width, height)
    for name, value in MARGINS.items():
        setattr(section, name, value)


def styles(document):
    normal = document.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(12)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
    normal.paragraph_format.space_after = Pt(6)
    normal.paragraph_format.line_spacing = 1.15
    heading = document.styles["Heading 1"]
    heading.font.name = FONT
    heading.font.size = Pt(14)
    heading.font.bold = True
    heading.font.color.rgb = RGBColor(0, 0, 0)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        heading.element.rPr.rFonts.attrib.pop(qn(attr), None)
    heading.element.rPr.rFonts.set(qn("w:ascii"), FONT)
    heading.element.rPr.rFonts.set(qn("w:hAnsi"), FONT)
    heading.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    heading.paragraph_format.space_before = Pt(0)
    heading.paragraph_format.space_after = Pt(18)
    caption = document.styles["Caption"]
    caption.font.name = FONT
    caption.font.size = Pt(11)
    caption.font.bold = True
    caption.font.italic = False
    caption.font.color.rgb = RGBColor(0, 0, 0)
    caption.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    caption.paragraph_format.space_before = Pt(12)
    caption.paragraph_format.keep_with_next = True


def para(document, text="", align=WD_ALIGN_PARAGRAPH.JUSTIFY, bold=False, size=None,
         style=None, indent_first=True):
    p = document.add_paragraph(style=style)
    p.alignment = align
    if indent_first and align == WD_ALIGN_PARAGRAPH.JUSTIFY:
        p.paragraph_format.first_line_indent = Cm(1.25)
    if text:
        run = p.add_run(text)
        run.bold = bold
        if size:
            run.font.size = Pt(size)
    return p


def tag(document, text):
    """A paragraph holding only a docxtpl paragraph tag (``{%p ... %}``): gone after render."""
    return para(document, text, align=WD_ALIGN_PARAGRAPH.LEFT, indent_first=False)


def heading(document, bab, title):
    p = document.add_heading(level=1)
    p.add_run(bab).add_break()
    p.add_run(title)
    return p


def page_break(document):
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def caption(document, text):
    return document.add_paragraph(text, style="Caption")


def cell_text(cell, text, bold=False, align=WD_ALIGN_PARAGRAPH.CENTER, shade=False):
    cell.text = ""
    p = cell.paragraphs[0]
    p.alignment = align
    p.paragraph_format.first_line_indent = None
    p.paragraph_format.space_after = Pt(0)
    p.paragraph_format.line_spacing = 1.0
    run = p.add_run(text)
    run.bold = bold
    run.font.size = Pt(TABLE_PT)
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    if shade:
        tc_pr = cell._tc.get_or_add_tcPr()
        shd = OxmlElement("w:shd")
        shd.set(qn("w:val"), "clear")
        shd.set(qn("w:color"), "auto")
        shd.set(qn("w:fill"), "E8E8E8")
        tc_pr.append(shd)
    return cell


def add_cell_paragraph(cell, text, align=WD_ALIGN_PARAGRAPH.LEFT):
    p = cell.add_paragraph()
    p.alignment = align
    p.paragraph_format.space_after = Pt(0)
    p.paragraph_format.line_spacing = 1.0
    run = p.add_run(text)
    run.font.size = Pt(TABLE_PT)
    return p


def table(document, rows, widths_cm, header_rows=1, center=False, fill=True):
    """A "Table Grid" table, fixed layout; ``fill``: preferred width 100% of the text width
    (the report fits the columns to it after the column loops)."""
    t = document.add_table(rows=rows, cols=len(widths_cm))
    t.style = document.styles["Table Grid"]
    t.alignment = WD_TABLE_ALIGNMENT.CENTER if center else WD_TABLE_ALIGNMENT.LEFT
    t.autofit = False
    tbl_pr = t._tbl.tblPr
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    tbl_pr.append(layout)
    if fill:
        tbl_w = tbl_pr.find(qn("w:tblW"))
        if tbl_w is None:
            tbl_w = OxmlElement("w:tblW")
            tbl_pr.append(tbl_w)
        tbl_w.set(qn("w:type"), "pct")
        tbl_w.set(qn("w:w"), "5000")
    for col, width in zip(t._tbl.tblGrid.findall(qn("w:gridCol")), widths_cm, strict=True):
        col.set(qn("w:w"), str(int(Cm(width).twips)))
    for row in t.rows:
        for cell, width in zip(row.cells, widths_cm, strict=True):
            cell.width = Cm(width)
    for row in t.rows[:header_rows]:
        tr_pr = row._tr.get_or_add_trPr()
        header = OxmlElement("w:tblHeader")
        header.set(qn("w:val"), "true")
        tr_pr.append(header)
    return t


def footer_page_number(section):
    section.different_first_page_header_footer = True  # no number on the cover
    p = section.footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    p._p.append(field)


# ---- chapters -------------------------------------------------------------------------------

def cover(document):
    for _ in range(3):
        para(document, align=WD_ALIGN_PARAGRAPH.CENTER)
    title = para(document, align=WD_ALIGN_PARAGRAPH.CENTER)
    for n, line in enumerate(("Laporan Hasil Tindak Lanjut Pelaksanaan",
                              "Survei Kepuasan Masyarakat", "{{ cover.period }}")):
        run = title.add_run(line)
        run.bold = True
        run.font.size = Pt(18)
        if n < 2:
            run.add_break()
    for _ in range(8):
        para(document, align=WD_ALIGN_PARAGRAPH.CENTER)
    para(document, "{{ cover.unit|upper }}", WD_ALIGN_PARAGRAPH.CENTER, bold=True, size=16)
    tag(document, "{%p if cover.kecamatan %}")
    para(document, "{{ cover.kecamatan|upper }}", WD_ALIGN_PARAGRAPH.CENTER, bold=True, size=14)
    tag(document, "{%p endif %}")
    tag(document, "{%p if cover.kota %}")
    para(document, "{{ cover.kota|upper }}", WD_ALIGN_PARAGRAPH.CENTER, bold=True, size=14)
    tag(document, "{%p endif %}")
    tag(document, "{%p if cover.provinsi %}")
    para(document, "{{ cover.provinsi|upper }}", WD_ALIGN_PARAGRAPH.CENTER, bold=True, size=14)
    tag(document, "{%p endif %}")
    para(document, align=WD_ALIGN_PARAGRAPH.CENTER)
    para(document, "TAHUN {{ cover.year }}", WD_ALIGN_PARAGRAPH.CENTER, bold=True, size=14)
    page_break(document)


def bab_i(document):
    heading(document, "BAB I", "PENDAHULUAN")
    for text in BAB_I:
        para(document, text)
    p = para(document)
    first, italic, rest = BAB_I_LAST
    p.add_run(first)
    p.add_run(italic).italic = True
    p.add_run(rest)


def tabel1(document):
    caption(document, "Tabel 1. Ringkasan Hasil SKM {{ period_label }}")
    # grid: Jenis | tc-for | unsur | tc-endfor | IKM; the control columns vanish on render
    # the cell widths are those of the usual nine unsur; fitted to the page after rendering
    widths = [3.6, 0.4, 2.2, 0.4, 1.8]
    t = table(document, 8, widths, header_rows=2)
    head, units, loop, data, end, average, mutu, last = t.rows
    cell_text(head.cells[0], "Jenis Pelayanan", bold=True, shade=True)
    cell_text(head.cells[1], "Nilai Unsur Pelayanan{% colspan tabel1.n %}", bold=True,
              shade=True)
    cell_text(head.cells[4], "IKM Layanan", bold=True, shade=True)
    head.cells[1].merge(head.cells[3])
    for column in (0, 4):
        head.cells[column].merge(units.cells[column])
    loop_cells(units.cells, "u in tabel1.unsur", "{{ u.name }} ({{ u.code }})", shade=True)

    cell_text(loop.cells[0], "{%tr for row in tabel1.rows %}")
    cell_text(data.cells[0], "{{ row.name }}", align=WD_ALIGN_PARAGRAPH.LEFT)
    loop_cells(data.cells, "v in row.nrr", "{{ v }}")
    cell_text(data.cells[4], "{{ row.ikm }}")
    cell_text(end.cells[0], "{%tr endfor %}")
    for row in (loop, end):
        row.cells[0].merge(row.cells[4])

    cell_text(average.cells[0], "{{ tabel1.average.name }}", bold=True,
              align=WD_ALIGN_PARAGRAPH.LEFT)
    loop_cells(average.cells, "v in tabel1.average.nrr", "{{ v }}")
    cell_text(average.cells[4], "{{ tabel1.average.ikm }}", bold=True)
    cell_text(mutu.cells[0], "Mutu Layanan", bold=True, align=WD_ALIGN_PARAGRAPH.LEFT)
    loop_cells(mutu.cells, "m in tabel1.mutu_unsur", "{{ m }}")
    cell_text(mutu.cells[4], "{{ tabel1.mutu_unit }}", bold=True)
    # the seed's last row: the label over most of the width, the unit's IKM at the end
    cell_text(last.cells[0], "{{ tabel1.konversi_label }}{% colspan tabel1.label_span %}",
              bold=True, align=WD_ALIGN_PARAGRAPH.LEFT)
    cell_text(last.cells[3], "{{ tabel1.konversi_text }}{% colspan tabel1.value_span %}",
              bold=True)
    last.cells[0].merge(last.cells[2])
    last.cells[3].merge(last.cells[4])
    return t


def loop_cells(cells, loop, text, shade=False, first=1):
    """Three cells from ``first``: ``{%tc for LOOP %}``, ``text`` (repeated), ``{%tc endfor %}``."""
    cell_text(cells[first], "{%tc for " + loop + " %}", shade=shade)
    cell_text(cells[first + 1], text, bold=shade, shade=shade)
    cell_text(cells[first + 2], "{%tc endfor %}", shade=shade)


def tabel_grades(document):
    caption(document, "Tabel II. Nilai Persepsi, Interval IKM, Interval Konversi IKM, Mutu "
                      "Pelayanan dan Kinerja Unit Pelayanan")
    t = table(document, 4, [2.6, 4.0, 4.6, 2.6, 4.0], center=True, fill=False)
    head, loop, data, end = t.rows
    for cell, text in zip(head.cells, ("Nilai Persepsi", "Nilai Interval IKM",
                                       "Nilai Interval Konversi IKM", "Mutu Pelayanan",
                                       "Kinerja Unit Pelayanan"), strict=True):
        cell_text(cell, text, bold=True, shade=True)
    for cell, text in zip(data.cells, ("{{ g.nilai_persepsi }}", "{{ g.ikm }}",
                                       "{{ g.konversi }}", "{{ g.mutu }}", "{{ g.kinerja }}"),
                          strict=True):
        cell_text(cell, text)
    cell_text(loop.cells[0], "{%tr for g in grades %}")
    cell_text(end.cells[0], "{%tr endfor %}")
    for row in (loop, end):
        row.cells[0].merge(row.cells[4])
    return t


def tabel_rtl(document):
    caption(document, "Tabel 2. Rencana Tindak Lanjut Pelaksanaan SKM")
    widths = [1.0, 4.6, 9.6, 0.4, 2.0, 0.4, 3.0]  # fitted to the page after rendering
    t = table(document, 5, widths, header_rows=2)
    head, sub, loop, data, end = t.rows
    for column, text in ((0, "No"), (1, "Prioritas Unsur"),
                         (2, "Program / Kegiatan (Rencana Tindak Lanjut)"),
                         (6, "Penanggung Jawab")):
        cell_text(head.cells[column], text, bold=True, shade=True)
    loop_cells(head.cells, "y in years", "{{ y.year }}{% colspan y.span %}", shade=True,
               first=3)
    loop_cells(sub.cells, "c in columns", "{{ c.label }}", shade=True, first=3)
    for column in (0, 1, 2, 6):
        head.cells[column].merge(sub.cells[column])

    cell_text(loop.cells[0], "{%tr for it in rtl %}")
    cell_text(data.cells[0], "{{ it.no }}.")
    cell_text(data.cells[1], "{{ it.unsur }}", align=WD_ALIGN_PARAGRAPH.LEFT)
    cell_text(data.cells[2], "{{ it.program }}", align=WD_ALIGN_PARAGRAPH.LEFT)
    loop_cells(data.cells, "tick in it.ticks", "{{ tick }}", first=3)
    cell_text(data.cells[6], "{{ it.section }}")
    cell_text(end.cells[0], "{%tr endfor %}")
    for row in (loop, end):
        row.cells[0].merge(row.cells[6])
    return t


def bab_ii(document):
    heading(document, "BAB II", "DESKRIPSI RENCANA TINDAK LANJUT")
    para(document, "Hasil survei kepuasan masyarakat oleh {{ unit_name }} {{ period_label }} "
                   "menunjukkan angka yang sangat beragam pada berbagai unsur pelayanan seperti "
                   "dapat terlihat pada tabel di bawah ini:")
    tabel1(document)
    tabel_grades(document)
    tag(document, "{%p if rtl %}")
    para(document, "Berkaca pada data tersebut, dapat terlihat beberapa unsur yang memerlukan "
                   "intervensi lanjutan karena rendahnya angka IKM pada unsur tersebut. Oleh "
                   "karena itu, perlu disusun sebuah rencana tindak lanjut perbaikan terhadap "
                   "unsur-unsur dengan nilai rendah. Untuk memastikan rencana tindak lanjut "
                   "dapat diimplementasikan dan ditindaklanjuti dengan baik, maka perlu disusun "
                   "skala prioritas perbaikan unsur yang terdiri dari {{ prioritas_count }} "
                   "unsur dengan nilai terendah. Kerangka rencana tindak lanjut dari "
                   "{{ prioritas_count }} unsur tersebut, dapat terlihat pada tabel di bawah "
                   "ini:")
    tabel_rtl(document)
    tag(document, "{%p else %}")
    para(document, "Belum ada rencana tindak lanjut yang disusun untuk {{ period_label }}.")
    tag(document, "{%p endif %}")


def bab_iii(document):
    heading(document, "BAB III", "REALISASI RENCANA TINDAK LANJUT")
    tag(document, "{%p if realisasi %}")
    para(document, "Berdasarkan rencana tindak lanjut yang telah disusun, maka implementasi "
                   "yang telah dilaksanakan adalah sebagai berikut:")
    widths = [1.0, 5.0, 2.6, 2.8, 5.4, 4.8, 3.6]
    t = table(document, 4, widths)
    heads = ("No", "Program / Kegiatan (Rencana Tindak Lanjut)",
             "Apakah RTL Telah Ditindaklanjuti (Sudah/Belum)",
             "Tanggal, Bulan dan Tahun Realisasi", "Deskripsi Tindak Lanjut (Mohon Dijabarkan)",
             "Dokumentasi Kegiatan", "Tantangan/ Hambatan")
    for cell, text in zip(t.rows[0].cells, heads, strict=True):
        cell_text(cell, text, bold=True, shade=True)
    cell_text(t.rows[1].cells[0], "{%tr for r in realisasi %}")
    cells = t.rows[2].cells
    cell_text(cells[0], "{{ r.no }}")
    cell_text(cells[1], "{{ r.program }}", align=WD_ALIGN_PARAGRAPH.LEFT)
    cell_text(cells[2], "{{ r.status }}")
    cell_text(cells[3], "{{ r.tanggal }}")
    cell_text(cells[4], "{{ r.deskripsi }}", align=WD_ALIGN_PARAGRAPH.LEFT)
    cell_text(cells[5], "{%p for ph in r.photos %}")
    add_cell_paragraph(cells[5], "{{ ph.image }}", align=WD_ALIGN_PARAGRAPH.CENTER)
    add_cell_paragraph(cells[5], "{%p endfor %}")
    # a cell must keep one paragraph whatever the loop gives: the PDF evidence, by file name
    add_cell_paragraph(cells[5], "{{ r.pdfs }}", align=WD_ALIGN_PARAGRAPH.CENTER)
    cell_text(cells[6], "{{ r.hambatan }}", align=WD_ALIGN_PARAGRAPH.LEFT)
    cell_text(t.rows[3].cells[0], "{%tr endfor %}")
    for row in (t.rows[1], t.rows[3]):
        row.cells[0].merge(row.cells[6])
    tag(document, "{%p else %}")
    para(document, "Belum ada rencana tindak lanjut yang dapat direalisasikan.")
    tag(document, "{%p endif %}")


def bab_iv(document):
    heading(document, "BAB IV", "KESIMPULAN")
    tag(document, "{%p if planned %}")
    para(document, "Berdasarkan data-data dalam pelaksanaan tindak lanjut tersebut, sekiranya "
                   "dapat ditarik beberapa kesimpulan bahwa {{ unit_name }} telah "
                   "menindaklanjuti rencana tindak lanjut sebanyak {{ percent }}.")
    para(document, "Dari {{ planned }} rencana tindak lanjut yang disusun, {{ done }} telah "
                   "ditindaklanjuti ({{ count_text }}).")
    tag(document, "{%p else %}")
    para(document, "{{ unit_name }} belum menyusun rencana tindak lanjut untuk "
                   "{{ period_label }}.")
    tag(document, "{%p endif %}")


def signature(document):
    """Place, date, role and a blank name: a unit replaces this block in its own template."""
    lines = ("{{ signature.place }}, {{ signature.date }}", "{{ signature.role }}", "", "", "",
             "(..........................................)", "NIP. ...............................")
    para(document)
    for line in lines:
        p = para(document, line, align=WD_ALIGN_PARAGRAPH.CENTER)
        p.paragraph_format.left_indent = Cm(8.5)
        p.paragraph_format.space_after = Pt(0)
        p.paragraph_format.keep_with_next = True


def build(out: Path = OUT) -> Path:
    document = Document()
    styles(document)
    first = document.sections[0]
    set_page(first)
    footer_page_number(first)
    cover(document)
    bab_i(document)
    wide = document.add_section(WD_SECTION.NEW_PAGE)
    set_page(wide, landscape=True)
    wide.different_first_page_header_footer = False
    bab_ii(document)
    page_break(document)
    bab_iii(document)
    last = document.add_section(WD_SECTION.NEW_PAGE)
    set_page(last)
    last.different_first_page_header_footer = False
    bab_iv(document)
    signature(document)
    core = document.core_properties
    core.title = "Laporan Hasil Tindak Lanjut Pelaksanaan Survei Kepuasan Masyarakat"
    core.author = "skm"
    core.comments = "Templat docxtpl; dibuat oleh scripts/docx_tindak_lanjut.py"
    out.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(out))
    return out


if __name__ == "__main__":
    print(build(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT))
