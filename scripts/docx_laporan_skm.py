"""Generate the built-in DOCX template of the Laporan SKM: ``skm/reports/docx/skm.docx``.

Run ``.venv/bin/python scripts/docx_laporan_skm.py`` after changing this file, and commit both.
The document is ordinary Word (A4, heading styles, "Table Grid" tables, page breaks between
chapters) holding docxtpl/Jinja tags; a unit may open the output in Word, change letterhead,
wording or signature block, keep the tags, and save it as
``$SKM_VAR_DIR/report-templates/<unit-slug>/skm.docx``. The variables are those of
:func:`skm.reports.laporan_skm.context` plus ``chart_distribution``, ``chart_ikm``,
``chart_trend`` (pictures) and ``tabel1_table`` (Tabel 1, built in code because its columns
follow the questionnaire).
"""

from __future__ import annotations

import sys
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.shared import Cm, Mm, Pt

OUT = Path(__file__).resolve().parent.parent / "skm" / "reports" / "docx" / "skm.docx"


class Builder:
    def __init__(self):
        self.doc = Document()
        section = self.doc.sections[0]
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin, section.bottom_margin = Cm(2.5), Cm(2.2)
        section.left_margin, section.right_margin = Cm(2.5), Cm(2)
        normal = self.doc.styles["Normal"]
        normal.font.name = "Times New Roman"
        normal.font.size = Pt(11)
        normal.paragraph_format.space_after = Pt(6)
        for name in ("Heading 1", "Heading 2", "Title"):
            self.doc.styles[name].font.name = "Arial"
        self.doc.styles["Heading 1"].font.size = Pt(13)
        self.doc.styles["Heading 2"].font.size = Pt(11.5)

    def p(self, text="", bold=False, align=None, size=None, italic=False):
        para = self.doc.add_paragraph()
        if text:
            run = para.add_run(text)
            run.bold, run.italic = bold, italic
            if size:
                run.font.size = Pt(size)
        if align == "center":
            para.alignment = WD_ALIGN_PARAGRAPH.CENTER
        elif align == "justify":
            para.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        return para

    def tag(self, text):
        """A paragraph that holds only a docxtpl paragraph tag ({%p ... %})."""
        return self.doc.add_paragraph(text)

    def page_break(self):
        self.doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    def bab(self, *lines):
        self.page_break()
        heading = self.doc.add_heading(level=1)
        heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
        for index, line in enumerate(lines):
            run = heading.add_run(line)
            if index < len(lines) - 1:
                run.add_break()

    def h2(self, text):
        self.doc.add_heading(text, level=2)

    def caption(self, text):
        self.p(text, bold=True, align="center", size=10)

    def loop(self, var, seq, body="{{ %s }}", numbered=False):
        self.tag(f"{{%p for {var} in {seq} %}}")
        prefix = "{{ loop.index }}. " if numbered else ""
        self.p(prefix + body % var, align="justify")
        self.tag("{%p endfor %}")

    def table(self, headers, cells, seq, var="r", widths=None, size=9):
        """A header row and one row per item of ``seq`` ({%tr for %} ... {%tr endfor %})."""
        table = self.doc.add_table(rows=4, cols=len(headers))
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        rows = table.rows
        for cell, text in zip(rows[0].cells, headers, strict=True):
            run = cell.paragraphs[0].add_run(text)
            run.bold = True
            run.font.size = Pt(size)
        rows[1].cells[0].text = f"{{%tr for {var} in {seq} %}}"
        for cell, text in zip(rows[2].cells, cells, strict=True):
            run = cell.paragraphs[0].add_run(text)
            run.font.size = Pt(size)
        rows[3].cells[0].text = "{%tr endfor %}"
        if widths:
            for row in rows:
                for cell, width in zip(row.cells, widths, strict=True):
                    cell.width = Cm(width)
        self.doc.add_paragraph()
        return table

    def key_value(self, pairs):
        table = self.doc.add_table(rows=len(pairs), cols=2)
        table.style = "Table Grid"
        for row, (key, value) in zip(table.rows, pairs, strict=True):
            row.cells[0].width, row.cells[1].width = Cm(5.5), Cm(11)
            row.cells[0].paragraphs[0].add_run(key).bold = True
            row.cells[1].paragraphs[0].add_run(value)
        self.doc.add_paragraph()


def build() -> Document:
    b = Builder()
    # ---- cover
    for _ in range(3):
        b.p()
    b.p("{{ title|upper }}", bold=True, align="center", size=16)
    b.p("{{ cover.period|upper }}", bold=True, align="center", size=14)
    for _ in range(6):
        b.p()
    b.p("{{ cover.unit|upper }}", bold=True, align="center", size=14)
    b.tag("{%p if cover.kecamatan %}")
    b.p("{{ cover.kecamatan|upper }}", bold=True, align="center", size=12)
    b.tag("{%p endif %}")
    b.tag("{%p if cover.kota %}")
    b.p("{{ cover.kota|upper }}", bold=True, align="center", size=12)
    b.tag("{%p endif %}")
    b.tag("{%p if cover.provinsi %}")
    b.p("{{ cover.provinsi|upper }}", bold=True, align="center", size=12)
    b.tag("{%p endif %}")
    for _ in range(6):
        b.p()
    b.p("TAHUN {{ cover.year }}", bold=True, align="center", size=14)

    # ---- ringkasan eksekutif
    b.bab("RINGKASAN EKSEKUTIF")
    b.tag("{%p if has_data %}")
    b.p("Survei Kepuasan Masyarakat {{ cover.unit }} {{ cover.period }} menghasilkan Indeks "
        "Kepuasan Masyarakat (IKM) konversi {{ summary.konversi }}, mutu pelayanan "
        "{{ summary.mutu }} dengan kinerja unit pelayanan {{ summary.kinerja }}.",
        align="justify")
    b.key_value([
        ("IKM konversi", "{{ summary.konversi }} (IKM {{ summary.ikm }})"),
        ("Mutu pelayanan", "{{ summary.mutu }}"),
        ("Kinerja unit pelayanan", "{{ summary.kinerja }}"),
        ("Jumlah responden", "{{ summary.respondents }} orang pada {{ summary.layanan_count }} "
                             "layanan"),
        ("Unsur tertinggi", "{{ summary.highest }}"),
        ("Unsur terendah", "{{ summary.lowest }}"),
        ("Kecukupan sampel", "{{ sample_sentence }}"),
        ("Metode", "{{ method }}"),
    ])
    b.p("Unsur tertinggi dan terendah ditentukan dari nilai rata-rata (NRR) yang belum "
        "dibulatkan.", size=9)
    b.tag("{%p else %}")
    b.p("Belum ada jawaban survei untuk {{ cover.unit }} pada {{ cover.period }}; Indeks "
        "Kepuasan Masyarakat belum dapat dihitung.", italic=True)
    b.p("{{ sample_sentence }}")
    b.tag("{%p endif %}")

    # ---- BAB I
    b.bab("BAB I", "PENDAHULUAN")
    b.h2("A. Latar Belakang")
    b.loop("p", "latar_belakang")
    b.h2("B. Dasar Hukum")
    b.loop("p", "dasar_hukum", numbered=True)
    b.h2("C. Maksud dan Tujuan")
    b.p("{{ maksud }} Tujuannya adalah:", align="justify")
    b.loop("p", "tujuan", numbered=True)

    # ---- BAB II
    b.bab("BAB II", "PENGUMPULAN DATA")
    b.h2("A. Pelaksana")
    b.p("Survei dilaksanakan secara mandiri oleh {{ cover.unit }}.")
    b.h2("B. Metode")
    b.p("Data dikumpulkan dengan kuesioner yang memuat {{ unsur_count }} unsur pelayanan "
        "({{ unsur_list }}). Setiap unsur dijawab dengan skala 1 sampai 4 (1 terendah, "
        "4 tertinggi); jawaban kosong tidak dihitung sebagai nol. Nilai rata-rata (NRR) setiap "
        "unsur adalah jumlah nilai jawaban dibagi jumlah jawaban; IKM adalah jumlah NRR "
        "tertimbang, dan IKM konversi adalah IKM dikalikan 25. Metode pengolahan: "
        "{{ method }}.", align="justify")
    b.h2("C. Lokasi")
    b.p("{{ lokasi }}.")
    b.h2("D. Waktu")
    b.p("{{ cover.period }}: {{ waktu }}.")
    b.h2("E. Populasi dan Jumlah Sampel")
    b.p("Sampel minimum dihitung dengan rumus Krejcie dan Morgan (tingkat kepercayaan 95%). "
        "{{ sample_sentence }}", align="justify")
    b.caption("Tabel 2.1. Populasi dan Jumlah Sampel per Layanan")
    b.table(["Layanan", "Populasi", "Sampel minimum", "Responden", "Keterangan"],
            ["{{ r.layanan }}", "{{ r.population }}", "{{ r.minimum }}", "{{ r.respondents }}",
             "{{ r.status }}"], "samples", widths=[5.5, 2.5, 2.8, 2.5, 3.2])

    # ---- BAB III
    b.bab("BAB III", "HASIL PENGOLAHAN DATA")
    b.tag("{%p if has_data %}")
    b.h2("A. Responden")
    b.p("Jumlah responden {{ summary.respondents }} orang. Profil responden:")
    b.caption("Tabel 3.1. Profil Responden")
    b.table(["Karakteristik", "Kategori", "Jumlah", "Persentase"],
            ["{{ r.field }}", "{{ r.category }}", "{{ r.count }}", "{{ r.percent }}"],
            "profile", widths=[4.5, 4.5, 3, 3])
    b.h2("B. Nilai Rata-rata per Unsur")
    b.caption("Tabel 3.2. Nilai Rata-rata (NRR) per Unsur")
    b.table(["No", "Kode", "Unsur Pelayanan", "NRR", "Konversi", "Mutu"],
            ["{{ r.no }}", "{{ r.code }}", "{{ r.name }}", "{{ r.nrr }}", "{{ r.konversi }}",
             "{{ r.mutu }}"], "nrr_rows", widths=[1, 1.3, 8, 2, 2.2, 1.6])
    b.caption("Gambar 3.1. Distribusi Jawaban per Unsur")
    b.p("{{ chart_distribution }}", align="center")
    b.h2("C. IKM per Layanan")
    b.caption("Tabel 3.3. IKM per Layanan")
    b.table(["No", "Layanan", "Responden", "IKM", "IKM konversi", "Mutu", "Kinerja"],
            ["{{ r.no }}", "{{ r.name }}", "{{ r.respondents }}", "{{ r.ikm }}",
             "{{ r.konversi }}", "{{ r.mutu }}", "{{ r.kinerja }}"], "layanan_rows",
            widths=[1, 4.5, 2.2, 1.8, 2.2, 1.4, 3])
    b.caption("Gambar 3.2. IKM Konversi per Layanan")
    b.p("{{ chart_ikm }}", align="center")
    b.caption("Tabel 3.4. Ringkasan Hasil SKM {{ cover.period }}")
    b.tag("{{ tabel1_table }}")
    b.tag("{%p else %}")
    b.p("Tidak ada data: belum ada jawaban survei pada periode ini.", italic=True)
    b.tag("{%p endif %}")
    b.h2("{% if has_data %}D{% else %}A{% endif %}. Nilai Interval dan Mutu Pelayanan")
    b.caption("Tabel II. Nilai Persepsi, Interval IKM, Interval Konversi IKM, Mutu dan Kinerja")
    b.table(["Nilai Persepsi", "Nilai Interval IKM", "Nilai Interval Konversi IKM",
             "Mutu Pelayanan", "Kinerja Unit Pelayanan"],
            ["{{ r.nilai_persepsi }}", "{{ r.ikm }}", "{{ r.konversi }}", "{{ r.mutu }}",
             "{{ r.kinerja }}"], "tabel2")

    # ---- BAB IV
    b.bab("BAB IV", "ANALISIS HASIL SURVEI")
    b.tag("{%p if has_data %}")
    b.h2("A. Kelebihan")
    b.p("Unsur dengan nilai tertinggi adalah {{ summary.highest }}. Unsur ini perlu "
        "dipertahankan.", align="justify")
    b.h2("B. Kelemahan")
    b.p("Unsur dengan nilai terendah (dinilai dari NRR yang belum dibulatkan) adalah "
        "{{ summary.lowest }}. Unsur ini menjadi prioritas perbaikan.", align="justify")
    b.tag("{%p else %}")
    b.p("Tidak ada data untuk dianalisis pada periode ini.", italic=True)
    b.tag("{%p endif %}")
    b.h2("{% if has_data %}C{% else %}A{% endif %}. Rencana Tindak Lanjut")
    b.tag("{%p if rtl %}")
    b.caption("Tabel 4.1. Rencana Tindak Lanjut Perbaikan SKM")
    b.table(["No", "Prioritas Unsur", "Program/Kegiatan", "Waktu", "Penanggung Jawab"],
            ["{{ r.no }}", "{{ r.unsur }}", "{{ r.program }}",
             "{{ r.waktu }} ({{ r.horizon|lower }})", "{{ r.pj }}"], "rtl",
            widths=[1, 4, 5.5, 3.5, 2.5])
    b.tag("{%p else %}")
    b.p("Rencana tindak lanjut periode ini belum disusun.")
    b.tag("{%p endif %}")
    b.h2("{% if has_data %}D{% else %}B{% endif %}. Tren")
    b.p("{{ trend.text }}", align="justify")
    b.caption("Tabel 4.2. IKM Konversi per Periode")
    b.table(["Periode", "IKM konversi", "Mutu"],
            ["{{ r.period }}", "{{ r.konversi }}", "{{ r.mutu }}"], "trend.rows",
            widths=[7, 4, 3])
    b.tag("{%p if has_data %}")
    b.caption("Gambar 4.1. Tren IKM Konversi")
    b.p("{{ chart_trend }}", align="center")
    b.tag("{%p endif %}")

    # ---- BAB V
    b.bab("BAB V", "KESIMPULAN")
    b.loop("p", "kesimpulan", numbered=True)

    # ---- Lampiran
    b.bab("LAMPIRAN")
    b.h2("Lampiran 1. Kuesioner")
    b.table(["No", "Unsur", "Pertanyaan", "1", "2", "3", "4"],
            ["{{ r.no }}", "{{ r.code }} {{ r.name }}", "{{ r.question }}", "{{ r.l1 }}",
             "{{ r.l2 }}", "{{ r.l3 }}", "{{ r.l4 }}"], "kuesioner", size=8,
            widths=[0.8, 3, 4, 2.2, 2.2, 2.2, 2.2])
    b.h2("Lampiran 2. Pengolahan Data per Layanan")
    b.tag("{%p if processing %}")
    b.table(["Layanan", "Unsur", "Jawaban 1", "Jawaban 2", "Jawaban 3", "Jawaban 4",
             "Jumlah jawaban", "NRR"],
            ["{{ r.layanan }}", "{{ r.code }}", "{{ r.c1 }}", "{{ r.c2 }}", "{{ r.c3 }}",
             "{{ r.c4 }}", "{{ r.answers }}", "{{ r.nrr }}"], "processing", size=8)
    b.tag("{%p else %}")
    b.p("Tidak ada data.", italic=True)
    b.tag("{%p endif %}")
    b.h2("Lampiran 3. Tindak Lanjut Periode Sebelumnya"
         "{% if previous.period %} ({{ previous.period }}){% endif %}")
    b.tag("{%p if previous.rows %}")
    b.table(["No", "Prioritas Unsur", "Program/Kegiatan", "Waktu", "Penanggung Jawab",
             "Status", "Tanggal Realisasi"],
            ["{{ r.no }}", "{{ r.unsur }}", "{{ r.program }}", "{{ r.waktu }}", "{{ r.pj }}",
             "{{ r.status }}", "{{ r.tanggal }}"], "previous.rows", size=8)
    b.p("{{ previous.completion }}")
    b.tag("{%p else %}")
    b.p("Rencana tindak lanjut periode sebelumnya: tidak ada.")
    b.tag("{%p endif %}")
    return b.doc


def main(out: Path = OUT) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    build().save(str(out))
    return out


if __name__ == "__main__":
    print(main(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT))
