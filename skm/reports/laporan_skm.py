"""The full Laporan Survei Kepuasan Masyarakat of a unit and period (kind ``skm``, DOCX and PDF).

The outline is SKM-RULES section 8 and the regulation's BAB VII (analysis and rencana tindak
lanjut): cover, ringkasan eksekutif, BAB I Pendahuluan, BAB II Pengumpulan data, BAB III Hasil
pengolahan (with charts), BAB IV Analisis, BAB V Kesimpulan and the lampiran (kuesioner,
pengolahan data, the previous period's tindak lanjut).

:func:`context` gathers every fact once, as Indonesian text, so the DOCX (docxtpl, template
``skm/reports/docx/skm.docx`` made by ``scripts/docx_laporan_skm.py``) and the PDF (WeasyPrint,
``reports/laporan_skm.html``) say the same thing. Every figure comes from
:func:`skm.results.services.unit_results` and :func:`skm.results.services.trend`, hence from
:mod:`skm.engine`; this module only words and formats them.

The document text is Indonesian whatever the UI language: it is the regulation's report, handed
in as such. Only the report's label is translated for the UI.
"""

from __future__ import annotations

import base64
import io

from django.utils.translation import gettext_lazy as _

from skm.engine import Priority, ranking, round_half_up
from skm.engine.profile import FIELD_LABELS, ordered_categories
from skm.followup import services as followup
from skm.formatting import decimal_id, integer_id, percent_id
from skm.present import COMBINE_DESCRIPTIONS, WEIGHT_DESCRIPTIONS
from skm.results.services import UnitResults, trend
from skm.units.models import Period, Unit
from skm.units.periods import parse_period

from . import charts
from .common import cover, render_docx, render_pdf, results_of, tabel1, tabel2_grades
from .registry import register

TITLE = "Laporan Survei Kepuasan Masyarakat"
DOCX_TEMPLATE = "skm"
PDF_TEMPLATE = "reports/laporan_skm.html"
#: chart name -> width on the page in millimetres (DOCX); the PDF uses the full text width
CHART_WIDTH_MM = 160


# ---- small wording helpers ------------------------------------------------------------------

def _unsur_name(results: UnitResults, code: str) -> str:
    try:
        return results.questionnaire.get(code).name
    except KeyError:  # an RTL item naming an unsur the questionnaire no longer has
        return code


def _names(results: UnitResults, codes) -> str:
    """"U1 Persyaratan", or "U2 Sistem ... dan U3 Waktu Penyelesaian" for a tie."""
    parts = [f"{c} {_unsur_name(results, c)}" for c in codes]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " dan " + parts[-1]


def _and(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " dan " + words[-1]


def _priority_text(results: UnitResults, group: Priority | None) -> str:
    if group is None:
        return "-"
    tie = " (nilai sama persis)" if group.tied else ""
    return f"{_names(results, group.codes)} dengan NRR {decimal_id(group.nrr, 4)}{tie}"


def short_period(period: Period) -> str:
    """"Semester II Tahun 2024" -> "Smt II 2024" (chart axis labels)."""
    return (period.label.replace("Semester", "Smt").replace("Triwulan", "TW")
            .replace(" Tahun ", " "))


def previous_period(period: Period) -> Period | None:
    """The period of the same kind just before: 2024-S1 for 2024-S2, 2023-S2 for 2024-S1,
    2024-TW2 for 2024-TW3, 2023 for 2024 (None if it was never created)."""
    spec = parse_period(period.code)
    if spec.kind == "tahun":
        code = str(spec.year - 1)
    else:
        per_year = 4 if spec.kind == "triwulan" else 2
        tag = "TW" if spec.kind == "triwulan" else "S"
        year, number = (spec.year, spec.number - 1) if spec.number > 1 else (spec.year - 1,
                                                                              per_year)
        code = f"{year}-{tag}{number}"
    return Period.objects.filter(code=code).first()


def _schedule(item) -> str:
    """When an RTL item is planned, in words ("TW III 2024" or "September 2024")."""
    text = getattr(followup, "schedule_text", None)
    if text is not None:
        return text(item)
    return ", ".join(followup.quarter_label(q) for q in item.quarters or ())


# ---- the chapters -----------------------------------------------------------------------------

def _summary(results: UnitResults) -> dict:
    overall = results.result.overall
    grade = overall.grade
    ranked = ranking(overall.nrr_map())
    lowest = results.lowest[0] if results.lowest else None
    highest = ranked[-1] if ranked else None
    return {
        "konversi": decimal_id(overall.konversi),
        "ikm": decimal_id(overall.ikm, 4),
        "mutu": grade.mutu if grade else "-",
        "kinerja": grade.kinerja if grade else "-",
        "respondents": integer_id(results.respondents),
        "layanan_count": integer_id(len(results.result.layanan)),
        "highest": _priority_text(results, highest),
        "lowest": _priority_text(results, lowest),
        "highest_codes": list(highest.codes) if highest else [],
        "lowest_codes": list(lowest.codes) if lowest else [],
        "lowest_tied": bool(lowest and lowest.tied),
    }


def _samples(results: UnitResults) -> tuple[list[dict], str]:
    rows = []
    for check in results.samples:
        if check.minimum is None:
            status = "Populasi belum diisi"
        else:
            status = "Kurang" if check.short else "Cukup"
        rows.append({
            "layanan": check.layanan.name,
            "population": integer_id(check.population) if check.population else "-",
            "minimum": integer_id(check.minimum) if check.minimum is not None else "-",
            "respondents": integer_id(check.respondents),
            "status": status,
        })
    known = [c for c in results.samples if c.minimum is not None]
    short = [c.layanan.name for c in known if c.short]
    if not known:
        sentence = ("Populasi pengguna layanan belum diisi, sehingga kecukupan sampel menurut "
                    "Krejcie dan Morgan belum dapat dinilai.")
    elif not short:
        sentence = (f"Jumlah responden memenuhi sampel minimum Krejcie dan Morgan pada semua "
                    f"{integer_id(len(known))} layanan yang populasinya diketahui.")
    else:
        sentence = (f"Jumlah responden memenuhi sampel minimum Krejcie dan Morgan pada "
                    f"{integer_id(len(known) - len(short))} dari {integer_id(len(known))} "
                    f"layanan; belum memenuhi pada {_and(short)}.")
    return rows, sentence


def _profile(results: UnitResults) -> list[dict]:
    """One row per category (the field named on its first row), in report order; the
    catch-alls ("Tidak diisi", "Tidak dikenali") only when someone falls in them."""
    rows = []
    total = results.respondents
    for field, counts in results.profile.items():
        standard = ordered_categories(field)[:-2]
        shown = [c for c in ordered_categories(field) if c in standard or counts.get(c)]
        for index, category in enumerate(shown):
            rows.append({
                "field": FIELD_LABELS[field] if index == 0 else "",
                "category": category,
                "count": integer_id(counts.get(category, 0)),
                "percent": percent_id(counts.get(category, 0), total),
            })
    return rows


def _nrr_rows(results: UnitResults) -> list[dict]:
    overall = results.result.overall
    rows = []
    for number, code in enumerate(results.questionnaire.codes, start=1):
        unsur = overall.unsur[code]
        grade = unsur.grade
        rows.append({
            "no": str(number), "code": code, "name": _unsur_name(results, code),
            "nrr": decimal_id(unsur.nrr), "nrr4": decimal_id(unsur.nrr, 4),
            "konversi": decimal_id(unsur.konversi), "mutu": grade.mutu if grade else "-",
            "kinerja": grade.kinerja if grade else "-",
        })
    return rows


def _layanan_rows(results: UnitResults) -> list[dict]:
    """IKM per layanan: every layanan of the unit, those without answers saying so."""
    groups = {g.name: g for g in results.result.layanan}
    rows = []
    for number, lay in enumerate(results.layanan, start=1):
        group = groups.get(lay.name)
        grade = group.grade if group else None
        rows.append({
            "no": str(number), "name": lay.name,
            "respondents": integer_id(group.respondents if group else 0),
            "ikm": decimal_id(group.ikm) if group else "-",
            "konversi": decimal_id(group.konversi) if group else "-",
            "mutu": grade.mutu if grade else "-",
            "kinerja": grade.kinerja if grade else "tidak ada jawaban",
        })
    return rows


def _processing_rows(results: UnitResults) -> list[dict]:
    """Lampiran 2: per layanan with answers and per unsur, the count of each answer and NRR."""
    groups = {g.name: g for g in results.result.layanan}
    rows = []
    for name, tally in results.tallies.items():
        group = groups.get(name)
        if group is None:
            continue
        for index, code in enumerate(results.questionnaire.codes):
            counts = tally.counts(code).counts
            rows.append({
                "layanan": name if index == 0 else "", "code": code,
                "c1": integer_id(counts[0]), "c2": integer_id(counts[1]),
                "c3": integer_id(counts[2]), "c4": integer_id(counts[3]),
                "answers": integer_id(sum(counts)), "nrr": decimal_id(group.nrr(code)),
            })
    return rows


def _rtl_rows(results: UnitResults, items) -> list[dict]:
    return [{
        "no": f"{number}.",
        "unsur": _and([_unsur_name(results, c) for c in item.unsur_codes]) if item.unsur_codes
        else "-",
        "program": item.program,
        "waktu": _schedule(item),
        "horizon": item.get_horizon_display(),
        "pj": item.section.code,
    } for number, item in enumerate(items, start=1)]


def _previous_followup(unit: Unit, period: Period, results: UnitResults) -> dict:
    previous = previous_period(period)
    items = list(followup.items_of(unit, previous)) if previous else []
    if not items:
        return {"period": previous.label if previous else "", "rows": [], "completion": ""}
    rows = []
    for row, item in zip(_rtl_rows(results, items), items, strict=True):
        realisasi = item.realisasi_or_none
        row["status"] = realisasi.get_status_display() if realisasi else "Belum"
        row["tanggal"] = followup.tanggal_id(realisasi.tanggal) if realisasi else ""
        row["deskripsi"] = realisasi.deskripsi if realisasi else ""
        rows.append(row)
    done, planned, percent = followup.completion(unit, previous)
    return {
        "period": previous.label, "rows": rows,
        "completion": (f"{integer_id(done)} dari {integer_id(planned)} rencana tindak lanjut "
                       f"telah direalisasikan ({followup.percent_text(percent)})."),
    }


def _trend(unit: Unit, period: Period, results: UnitResults) -> dict:
    points = trend(unit, period, method=results.result.method.combine)
    current = results.result.overall.konversi
    rows = [{"period": p.label, "konversi": decimal_id(r.overall.konversi) if r else "-",
             "mutu": (r.overall.grade.mutu if r and r.overall.grade else "-")}
            for p, r in points]
    earlier = points[:-1]
    previous = earlier[-1] if earlier else None
    if current is None:
        text = "Tren tidak dapat dinilai karena periode ini belum memiliki data."
    elif previous is None or previous[1] is None or previous[1].overall.konversi is None:
        text = ("Belum ada hasil survei periode sebelumnya, sehingga tren belum dapat "
                "dibandingkan.")
    else:
        before = previous[1].overall.konversi
        # the difference of the two published (rounded) figures, as a reader would subtract
        change = round_half_up(current, 2) - round_half_up(before, 2)
        if change > 0:
            how = f"naik {decimal_id(change)} poin"
        elif change < 0:
            how = f"turun {decimal_id(-change)} poin"
        else:
            how = "tidak berubah"
        text = (f"Dibandingkan {previous[0].label} ({decimal_id(before)}), IKM konversi "
                f"{period.label} ({decimal_id(current)}) {how}.")
    chart_points = [(short_period(p), r.overall.konversi if r else None) for p, r in points]
    return {"rows": rows, "text": text, "points": chart_points}


def _kuesioner(results: UnitResults) -> list[dict]:
    return [{
        "no": str(number), "code": u.code, "name": u.name, "question": u.question,
        "l1": u.labels[0], "l2": u.labels[1], "l3": u.labels[2], "l4": u.labels[3],
    } for number, u in enumerate(results.questionnaire.unsur, start=1)]


def _charts(results: UnitResults, trend_points) -> dict[str, bytes]:
    distribution = results.distribution()
    codes = results.questionnaire.codes
    groups = {g.name: g for g in results.result.layanan}
    return {
        "distribution": charts.distribution_chart(
            [(f"{c} {_unsur_name(results, c)}", distribution[c]) for c in codes]),
        "ikm": charts.ikm_chart([
            (lay.name, groups[lay.name].konversi if lay.name in groups else None)
            for lay in results.layanan]),
        "trend": charts.trend_chart(trend_points),
    }


def _paragraphs(unit_name: str, period: Period) -> dict:
    return {
        "latar_belakang": [
            "Pelayanan publik yang berkualitas hanya dapat dicapai jika harapan dan kebutuhan "
            "pengguna layanan diakomodasi dalam penyelenggaraan pelayanan. Hal ini sejalan "
            "dengan asas partisipatif dalam Undang-Undang Nomor 25 Tahun 2009 tentang "
            "Pelayanan Publik, yang diatur lebih lanjut dalam Peraturan Pemerintah Nomor 96 "
            "Tahun 2012 tentang Pelaksanaan Undang-Undang Nomor 25 Tahun 2009 tentang "
            "Pelayanan Publik.",
            "Survei Kepuasan Masyarakat (SKM) adalah kegiatan pengukuran secara komprehensif "
            "tentang tingkat kepuasan masyarakat terhadap kualitas layanan yang diberikan oleh "
            "penyelenggara pelayanan publik. Pedomannya ditetapkan dalam Peraturan Menteri "
            "Pendayagunaan Aparatur Negara dan Reformasi Birokrasi Nomor 14 Tahun 2017.",
            f"Sesuai pedoman tersebut, {unit_name} melaksanakan SKM {period.label} dan "
            "menyusun laporan ini sebagai dasar perbaikan dan inovasi pelayanan secara "
            "berkelanjutan.",
        ],
        "dasar_hukum": [
            "Undang-Undang Nomor 25 Tahun 2009 tentang Pelayanan Publik;",
            "Peraturan Pemerintah Nomor 96 Tahun 2012 tentang Pelaksanaan Undang-Undang "
            "Nomor 25 Tahun 2009 tentang Pelayanan Publik;",
            "Peraturan Menteri Pendayagunaan Aparatur Negara dan Reformasi Birokrasi Nomor 14 "
            "Tahun 2017 tentang Pedoman Penyusunan Survei Kepuasan Masyarakat Unit "
            "Penyelenggara Pelayanan Publik.",
        ],
        "maksud": (f"Survei ini dimaksudkan untuk mengukur tingkat kepuasan masyarakat "
                   f"sebagai pengguna layanan {unit_name} pada {period.label}."),
        "tujuan": [
            "mendorong partisipasi masyarakat sebagai pengguna layanan dalam menilai kinerja "
            "penyelenggara pelayanan;",
            "mendorong penyelenggara pelayanan untuk meningkatkan kualitas pelayanan dan "
            "berinovasi;",
            "mengetahui kelemahan dan kelebihan setiap unsur pelayanan sebagai dasar rencana "
            "tindak lanjut;",
            "mengukur kecenderungan tingkat kepuasan masyarakat dari periode ke periode.",
        ],
    }


def context(unit: Unit, period: Period) -> dict:
    """Everything the report says, as text and PNG bytes (``charts``), for both formats."""
    results = results_of(unit, period)
    the_cover = cover(unit, period)
    has_data = results.respondents > 0
    summary = _summary(results)
    sample_rows, sample_sentence = _samples(results)
    method = results.result.method
    trend_info = _trend(unit, period, results)
    items = list(followup.items_of(unit, period))
    tabel = tabel1(results)
    location = ", ".join(p for p in (the_cover.unit, the_cover.kecamatan, the_cover.kota,
                                     the_cover.provinsi) if p)
    ctx = {
        "title": TITLE,
        "cover": the_cover,
        "has_data": has_data,
        "summary": summary,
        "method": f"{WEIGHT_DESCRIPTIONS[method.weights]}; {COMBINE_DESCRIPTIONS[method.combine]}",
        "unsur_count": integer_id(len(results.questionnaire.codes)),
        "unsur_list": _and([f"{u.code} {u.name}" for u in results.questionnaire.unsur]),
        "lokasi": location,
        "waktu": f"{followup.tanggal_id(period.start)} sampai dengan "
                 f"{followup.tanggal_id(period.end)}",
        "samples": sample_rows,
        "sample_sentence": sample_sentence,
        "profile": _profile(results),
        "nrr_rows": _nrr_rows(results),
        "layanan_rows": _layanan_rows(results),
        "tabel1": tabel,
        "tabel1_rows": [{"name": r["name"], "respondents": r["respondents"], "nrr": r["nrr"],
                         "ikm": r["ikm"]} for r in tabel.rows],
        "tabel2": tabel2_grades(),
        "processing": _processing_rows(results),
        "rtl": _rtl_rows(results, items),
        "trend": trend_info,
        "kuesioner": _kuesioner(results),
        "previous": _previous_followup(unit, period, results),
        "charts": _charts(results, trend_info["points"]) if has_data else {},
        **_paragraphs(the_cover.unit, period),
    }
    ctx["kesimpulan"] = _conclusions(ctx)
    return ctx


def _conclusions(ctx: dict) -> list[str]:
    s, unit, label = ctx["summary"], ctx["cover"].unit, ctx["cover"].period
    if not ctx["has_data"]:
        return [f"Belum ada jawaban survei yang masuk untuk {unit} pada {label}, sehingga "
                "Indeks Kepuasan Masyarakat belum dapat dihitung."]
    lines = [
        f"Indeks Kepuasan Masyarakat {unit} {label} adalah {s['konversi']} dengan mutu "
        f"pelayanan {s['mutu']} (kinerja {s['kinerja']}), dari {s['respondents']} responden "
        f"pada {s['layanan_count']} layanan.",
        f"Unsur dengan nilai tertinggi adalah {s['highest']}; unsur dengan nilai terendah "
        f"adalah {s['lowest']}, yang menjadi prioritas perbaikan.",
        ctx["sample_sentence"],
        ctx["trend"]["text"],
    ]
    count = len(ctx["rtl"])
    lines.append(
        f"Telah disusun {integer_id(count)} rencana tindak lanjut untuk periode ini."
        if count else "Rencana tindak lanjut periode ini belum disusun.")
    return lines


# ---- the builders -----------------------------------------------------------------------------

def _data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


#: what ``{{ tabel1_table }}`` renders to; the paragraph holding it becomes the Word table
TABEL1_MARKER = "[[TABEL-1]]"


def _insert_tabel1(data: bytes, tabel) -> bytes:
    """Put Tabel 1 (layanan x unsur) where the template says ``{{ tabel1_table }}``.

    Its column count follows the questionnaire, which a fixed template row cannot, so it is
    built with python-docx in the rendered document ("Table Grid", as every other table).
    """
    import docx
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.shared import Pt

    document = docx.Document(io.BytesIO(data))
    marker = next((p for p in document.paragraphs if p.text.strip() == TABEL1_MARKER), None)
    if marker is None:  # a unit's own template without Tabel 1
        return data
    columns = 3 + len(tabel.codes)
    table = document.add_table(rows=1, cols=columns)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER

    def fill(cells, values, bold=False):
        for cell, value in zip(cells, values, strict=True):
            run = cell.paragraphs[0].add_run(value)
            run.font.size = Pt(7.5)
            run.bold = bold

    fill(table.rows[0].cells, ["Jenis Layanan", "Resp.", *tabel.codes, "IKM Layanan"], True)
    for row in tabel.rows:
        fill(table.add_row().cells, [row["name"], row["respondents"], *row["nrr"], row["ikm"]])
    avg = tabel.average
    fill(table.add_row().cells, [avg["name"], avg["respondents"], *avg["nrr"], avg["ikm"]], True)
    fill(table.add_row().cells, ["Mutu Layanan", "", *tabel.mutu], True)
    last = table.add_row().cells
    fill([last[0].merge(last[columns - 1])],
         [f"{tabel.konversi_label} (konversi): {tabel.konversi} ({tabel.grade_words})"], True)
    marker._p.addprevious(table._tbl)
    marker._p.getparent().remove(marker._p)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@register("skm", "docx", label=_("Laporan Survei Kepuasan Masyarakat"))
def laporan_skm_docx(unit: Unit, period: Period) -> bytes:
    ctx = context(unit, period)

    def make(template):
        from docx.shared import Mm
        from docxtpl import InlineImage

        images = {
            f"chart_{name}": InlineImage(template, io.BytesIO(png), width=Mm(CHART_WIDTH_MM))
            for name, png in ctx["charts"].items()
        }
        for name in ("distribution", "ikm", "trend"):
            images.setdefault(f"chart_{name}", "")
        return {**ctx, **images, "tabel1_table": TABEL1_MARKER if ctx["has_data"] else ""}

    data = render_docx(DOCX_TEMPLATE, unit, make)
    return _insert_tabel1(data, ctx["tabel1"]) if ctx["has_data"] else data


@register("skm", "pdf", label=_("Laporan Survei Kepuasan Masyarakat"))
def laporan_skm_pdf(unit: Unit, period: Period) -> bytes:
    ctx = context(unit, period)
    ctx["chart_uris"] = {name: _data_uri(png) for name, png in ctx["charts"].items()}
    return render_pdf(PDF_TEMPLATE, ctx)

