"""The Laporan Hasil Tindak Lanjut Pelaksanaan Survei Kepuasan Masyarakat (the seed report), as
DOCX (docxtpl template ``tindak-lanjut.docx``, replaceable per unit) and PDF (WeasyPrint).

One context feeds both formats; :func:`context` documents its keys, which are also the Jinja
variables a unit may use in its own DOCX template (see docs/reports.md). Figures come from the
engine through :mod:`skm.reports.common` and :mod:`skm.followup.services`; this module only
arranges them as the seed does. The document is in Indonesian whatever the reader's UI language,
so its words are not passed through gettext; only messages to the user are.
"""

from __future__ import annotations

import base64
import io
import mimetypes
import re

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from skm.followup import services as followup
from skm.units.models import Period, Unit

from . import common
from .registry import ReportError, register

TEMPLATE = "tindak-lanjut"
PHOTO_WIDTH_MM = 40  # "about 4 cm" in the Dokumentasi Kegiatan column

#: who signs, by unit kind: "Lurah Jatinegara Kaum"
SIGNER = {"kelurahan": "Lurah", "kecamatan": "Camat", "kota": "Wali Kota",
          "provinsi": "Gubernur", "puskesmas": "Kepala Puskesmas", "dinas": "Kepala Dinas",
          "upt": "Kepala UPT"}

#: the BAB III fields that may hold several lines
MULTILINE = ("program", "deskripsi", "pdfs", "hambatan")

_NUMBERED = re.compile(r"^\s*\d+[.)]\s")


def _bare_name(unit: Unit) -> str:
    """"Kelurahan Jatinegara Kaum" -> "Jatinegara Kaum" (for "Lurah Jatinegara Kaum")."""
    label = dict(Unit.Kind.choices).get(unit.kind, "")
    for prefix in {unit.kind, str(label).split("/")[0]}:
        if prefix and unit.name.lower().startswith(prefix.lower() + " "):
            return unit.name[len(prefix) + 1:]
    return unit.name


def _place(unit: Unit) -> str:
    """Where the report is signed: the kota without "Kota (Administrasi)", else the unit."""
    kota = unit.ancestor_of_kind("kota") or (unit if unit.kind == "kota" else None)
    if kota is None:
        return _bare_name(unit)
    return re.sub(r"^(kota\s+administrasi|kota|kabupaten)\s+", "", kota.name, flags=re.I)


def program_text(text: str) -> str:
    """The seed numbers the activities in the Program / Kegiatan cell ("1. Kegiatan ...");
    lines a unit already numbered stay as they are."""
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    if not any(_NUMBERED.match(line) for line in lines):
        lines = [f"{n}. {line}" for n, line in enumerate(lines, start=1)]
    return "\n".join(lines)


def _text(text: str) -> str:
    return "\n".join(line.rstrip() for line in (text or "").strip().splitlines())


def _tabel1(results) -> dict:
    t1 = common.tabel1(results)
    n = len(t1.codes)
    label_span = max(n - 2, 1)  # the seed's last row: label over most unsur, value at the end
    return {
        "unsur": [{"code": c, "name": name, "label": f"{name} ({c})"}
                  for c, name in zip(t1.codes, t1.names, strict=True)],
        "rows": t1.rows,
        "average": t1.average,
        "mutu_unsur": t1.mutu[:-1],
        "mutu_unit": t1.mutu[-1],
        "konversi": t1.konversi,
        "grade_words": t1.grade_words,
        "konversi_label": t1.konversi_label,
        "konversi_text": f"{t1.konversi} ({t1.grade_words})",
        "n": n,
        "label_span": label_span,
        "value_span": n + 2 - label_span,
    }


def _schedule(items) -> tuple[list[dict], list[dict]]:
    """Tabel 2's time columns and their year heading groups ``{"year", "span"}``."""
    columns = followup.schedule_columns(items)
    years: list[dict] = []
    for column in columns:
        if years and years[-1]["year"] == column["year"]:
            years[-1]["span"] += 1
        else:
            years.append({"year": column["year"], "span": 1})
    return columns, years


def _evidence(realisasi) -> tuple[list, list]:
    if realisasi is None:
        return [], []
    found = list(realisasi.evidence.all())
    return ([e for e in found if e.kind == "photo"], [e for e in found if e.kind != "photo"])


def _read(evidence) -> bytes:
    """The thumbnail (longest side 480 px: sharp at 4 cm, small and fast) or else the photo."""
    stored = evidence.thumbnail if evidence.thumbnail else evidence.file
    with stored.open("rb") as handle:
        return handle.read()


def context(unit: Unit, period: Period, photo=None) -> dict:
    """Everything the report says, as text. ``photo(evidence) -> object`` turns each photo
    into what the format embeds (a docxtpl InlineImage, a data URI).

    Keys: ``cover`` (unit, kecamatan, kota, provinsi, period, year), ``unit_name``,
    ``period_label``, ``tabel1`` (see :func:`_tabel1`), ``grades`` (Tabel II rows),
    ``prioritas_count``, ``columns``/``years`` (Tabel 2 time columns and year groups), ``rtl``
    (Tabel 2 rows), ``realisasi`` (BAB III rows), ``done``, ``planned``, ``percent``,
    ``count_text``, ``signature`` (place, date, role).
    """
    results = common.results_of(unit, period)
    if not results.respondents:
        raise ReportError(
            _("Laporan tidak dapat dibuat untuk %(unit)s %(period)s: belum ada jawaban survei.")
            % {"unit": unit.name, "period": period.code})
    tabel1 = _tabel1(results)
    questionnaire = results.questionnaire
    items = list(followup.items_of(unit, period).prefetch_related("realisasi__evidence"))
    columns, years = _schedule(items)

    def unsur_name(code):
        try:
            return questionnaire.get(code).name
        except KeyError:
            return code

    rtl, realisasi = [], []
    for no, item in enumerate(items, start=1):
        rtl.append({
            "no": no,
            "unsur": "; ".join(unsur_name(c) for c in item.unsur_codes),
            "unsur_codes": list(item.unsur_codes),
            "program": program_text(item.program),
            "ticks": ["✓" if followup.planned_in(item, c["code"]) else "" for c in columns],
            "section": item.section.code,
            "section_name": item.section.name,
        })
        real = item.realisasi_or_none
        photos, pdfs = _evidence(real)
        realisasi.append({
            "no": no,
            "program": program_text(item.program),
            "status": "Sudah" if item.done else "Belum",
            "tanggal": followup.tanggal_id(real.tanggal) if real else "",
            "deskripsi": _text(real.deskripsi) if real else "",
            "photos": [{"image": photo(e) if photo else None, "name": e.original_name,
                        "caption": e.caption} for e in photos],
            "pdfs": "\n".join(e.original_name for e in pdfs),
            "hambatan": _text(real.hambatan) if real else "",
        })
    done, planned, percent = followup.completion(unit, period)
    cover = common.cover(unit, period)
    return {
        "cover": cover,
        "unit_name": cover.unit,
        "period_label": cover.period,
        "tabel1": tabel1,
        "grades": common.tabel2_grades(),
        "prioritas_count": len({c for item in items for c in item.unsur_codes}),
        "columns": columns,
        "years": years,
        "rtl": rtl,
        "realisasi": realisasi,
        "done": done,
        "planned": planned,
        "percent": followup.percent_text(percent),
        "count_text": f"{done} dari {planned}",
        "signature": {
            "place": _place(unit),
            "date": followup.tanggal_id(timezone.localdate()),
            "role": f"{SIGNER[unit.kind]} {_bare_name(unit)}" if unit.kind in SIGNER
            else unit.name,
        },
    }


# ---- DOCX ----------------------------------------------------------------------------------

def _tables_and_text_widths(body, w) -> list[tuple]:
    """The body's tables, each with its section's text width in twips (a section's properties
    come after its content: in its last paragraph, or at the end of the body)."""
    widths, pending = [], []
    for child in body.iterchildren():
        if child.tag == w("tbl"):
            pending.append(child)
        sect = child if child.tag == w("sectPr") else child.find(f"{w('pPr')}/{w('sectPr')}")
        if sect is not None:
            size, margin = sect.find(w("pgSz")), sect.find(w("pgMar"))
            width = int(size.get(w("w"))) - int(margin.get(w("left"))) - int(
                margin.get(w("right")))
            widths.extend((t, width) for t in pending)
            pending = []
    return widths


def _fit_tables(data: bytes) -> bytes:
    """Column loops (``{%tc for %}``) leave docxtpl's table grid evenly split. Give every grid
    column the width its cell asks for in the row with the most cells, scaled to the page's
    text width when the table is meant to fill it (preferred width 100%) or would overflow it;
    give every cell the width of the grid columns it spans. Word and LibreOffice then lay the
    tables out alike, whatever the number of unsur or quarters."""
    from docx import Document
    from docx.oxml.ns import qn

    document = Document(io.BytesIO(data))
    body = document.element.body
    for tbl, page in _tables_and_text_widths(body, lambda name: qn(f"w:{name}")):
        cols = tbl.tblGrid.findall(qn("w:gridCol"))
        rows = tbl.findall(qn("w:tr"))
        full = [r for r in rows if len(r.findall(qn("w:tc"))) == len(cols)]
        if not full:
            continue
        wanted = []
        for tc in full[-1].findall(qn("w:tc")):
            tcw = tc.find(f"{qn('w:tcPr')}/{qn('w:tcW')}")
            wanted.append(int(tcw.get(qn("w:w"))) if tcw is not None else 0)
        if not all(wanted):
            continue
        tblw = tbl.find(f"{qn('w:tblPr')}/{qn('w:tblW')}")
        fill = tblw is not None and tblw.get(qn("w:type")) == "pct"
        total = sum(wanted)
        target = page if page and (fill or total > page) else total
        widths = [round(x * target / total) for x in wanted]
        for col, width in zip(cols, widths, strict=True):
            col.set(qn("w:w"), str(width))
        for tr in rows:
            index = 0
            for tc in tr.findall(qn("w:tc")):
                span_el = tc.find(f"{qn('w:tcPr')}/{qn('w:gridSpan')}")
                span = int(span_el.get(qn("w:val"))) if span_el is not None else 1
                tcw = tc.find(f"{qn('w:tcPr')}/{qn('w:tcW')}")
                if tcw is not None:
                    tcw.set(qn("w:w"), str(sum(widths[index:index + span])))
                    tcw.set(qn("w:type"), "dxa")
                index += span
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@register("tindak-lanjut", "docx", label=gettext_lazy("Laporan Hasil Tindak Lanjut"))
def tindak_lanjut_docx(unit: Unit, period: Period) -> bytes:
    from docx.shared import Mm
    from docxtpl import InlineImage, Listing

    def make_context(template):
        found = context(unit, period, photo=lambda e: InlineImage(
            template, io.BytesIO(_read(e)), width=Mm(PHOTO_WIDTH_MM)))
        # a Listing keeps the template's styling and turns each "\n" into a line break
        for row in found["rtl"]:
            row["program"] = Listing(row["program"])
        for row in found["realisasi"]:
            for key in MULTILINE:
                row[key] = Listing(row[key])
        return found

    from jinja2 import TemplateError

    try:
        data = common.render_docx(TEMPLATE, unit, make_context)
    except TemplateError as exc:  # a unit's own template with a broken tag
        raise ReportError(
            _("Templat DOCX %(path)s tidak dapat dipakai: %(reason)s")
            % {"path": common.docx_template_path(TEMPLATE, unit), "reason": exc}) from exc
    return _fit_tables(data)


# ---- PDF -----------------------------------------------------------------------------------

def _data_uri(evidence) -> str:
    data = _read(evidence)
    name = evidence.thumbnail.name if evidence.thumbnail else evidence.file.name
    mime = mimetypes.guess_type(name)[0] or "image/jpeg"
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


@register("tindak-lanjut", "pdf", label=gettext_lazy("Laporan Hasil Tindak Lanjut"))
def tindak_lanjut_pdf(unit: Unit, period: Period) -> bytes:
    return common.render_pdf("reports/tindak_lanjut.html", context(unit, period, photo=_data_uri))
