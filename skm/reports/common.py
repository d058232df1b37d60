"""What every report shares: the cover facts, Tabel 1 and Tabel II as rows of text, and the two
renderers (docxtpl for DOCX, WeasyPrint for PDF).

Figures come from :mod:`skm.results.services` (and so from :mod:`skm.engine`); this module only
writes them the Indonesian way ("98,72", "17 September 2024").

DOCX templates: a unit may replace a built-in template with its own (letterhead, signature
block). The first file found wins:

1. ``$SKM_VAR_DIR/report-templates/<unit-slug>/<name>.docx``
2. ``$SKM_VAR_DIR/report-templates/<name>.docx`` (the whole installation)
3. ``skm/reports/docx/<name>.docx`` (built in)
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string

from skm.engine import grade_table
from skm.formatting import decimal_id, integer_id
from skm.reports.registry import ReportError
from skm.results.services import UnitResults, unit_results
from skm.units.models import Period, Unit

BUILTIN_DOCX = Path(__file__).resolve().parent / "docx"


# ---- cover facts ----------------------------------------------------------------------------

@dataclass
class Cover:
    unit: str          # "Kelurahan Jatinegara Kaum"
    kecamatan: str     # "Kecamatan Pulo Gadung" or ""
    kota: str          # "Kota Administrasi Jakarta Timur" or ""
    provinsi: str      # "" when the tree has no provinsi
    period: str        # "Semester II Tahun 2024"
    year: int


def _titled(unit: Unit | None, prefix: str) -> str:
    if unit is None:
        return ""
    name = unit.name
    # "Jakarta Timur" -> "Kecamatan Jakarta Timur"; a name that already says its kind stays
    return name if name.lower().startswith(prefix.split()[0].lower()) else f"{prefix} {name}"


def cover(unit: Unit, period: Period) -> Cover:
    kind_prefix = {"kelurahan": "Kelurahan", "kecamatan": "Kecamatan", "kota": "Kota",
                   "provinsi": "Provinsi"}.get(unit.kind)
    return Cover(
        unit=_titled(unit, kind_prefix) if kind_prefix else unit.name,
        kecamatan=_titled(unit.ancestor_of_kind("kecamatan"), "Kecamatan"),
        kota=_titled(unit.ancestor_of_kind("kota"), "Kota"),
        provinsi=_titled(unit.ancestor_of_kind("provinsi"), "Provinsi"),
        period=period.label,
        year=period.year,
    )


# ---- Tabel 1 and Tabel II -------------------------------------------------------------------

@dataclass
class Tabel1:
    """The seed's Tabel 1 as text cells: ``codes`` and ``names`` head the unsur columns."""

    codes: list[str]
    names: list[str]
    #: one per layanan with answers: {"name", "respondents", "nrr": [..], "ikm"}
    rows: list[dict]
    average: dict      # "Rata-rata IKM per Unsur" (or pooled) row, same keys
    mutu: list[str]    # per unsur, then the unit's mutu last
    konversi: str      # "98,72"
    grade_words: str   # "A atau Sangat Baik"
    overall_label: str
    konversi_label: str


def tabel1(results: UnitResults) -> Tabel1:
    questionnaire, result = results.questionnaire, results.result
    codes = list(questionnaire.codes)
    pooled = result.method.combine == "pooled"

    def row(group, name):
        return {
            "name": name,
            "respondents": integer_id(group.respondents),
            "nrr": [decimal_id(group.nrr(c)) for c in codes],
            "ikm": decimal_id(group.ikm),
        }

    overall = result.overall
    grade = overall.grade
    return Tabel1(
        codes=codes,
        names=[questionnaire.get(c).name for c in codes],
        rows=[row(g, g.name or "") for g in result.layanan],
        average=row(overall, "IKM gabungan per Unsur" if pooled else "Rata-rata IKM per Unsur"),
        mutu=[(overall.unsur[c].grade.mutu if overall.unsur[c].grade else "-") for c in codes]
        + [grade.mutu if grade else "-"],
        konversi=decimal_id(overall.konversi),
        grade_words=f"{grade.mutu} atau {grade.kinerja}" if grade else "-",
        overall_label="IKM gabungan per Unsur" if pooled else "Rata-rata IKM per Unsur",
        konversi_label="IKM Unit" if pooled else "Rata-rata IKM Layanan",
    )


def tabel2_grades() -> list[dict]:
    """Tabel II as text: nilai persepsi, IKM and konversi intervals, mutu, kinerja."""
    return [
        {
            "nilai_persepsi": str(r["nilai_persepsi"]),
            "ikm": f"{decimal_id(r['ikm_low'])} - {decimal_id(r['ikm_high'])}",
            "konversi": f"{decimal_id(r['konversi_low'])} - {decimal_id(r['konversi_high'])}",
            "mutu": r["mutu"],
            "kinerja": r["kinerja"],
        }
        for r in grade_table()
    ]


def results_of(unit: Unit, period: Period) -> UnitResults:
    return unit_results(unit, period)


# ---- renderers ------------------------------------------------------------------------------

def docx_template_path(name: str, unit: Unit | None = None) -> Path:
    """The DOCX template ``name`` for ``unit``: the unit's own, the installation's, or the
    built-in one (see the module docstring)."""
    root = Path(settings.VAR_DIR) / "report-templates"
    candidates = ([root / unit.slug / f"{name}.docx"] if unit is not None else []) + [
        root / f"{name}.docx", BUILTIN_DOCX / f"{name}.docx"]
    return next((p for p in candidates if p.is_file()), candidates[-1])


def render_docx(name: str, unit: Unit | None, make_context) -> bytes:
    """Render the template ``name`` with the context ``make_context(template)`` returns (the
    template is passed so the context can hold ``docxtpl.InlineImage`` objects)."""
    from docxtpl import DocxTemplate

    template = DocxTemplate(str(docx_template_path(name, unit)))
    template.render(make_context(template), autoescape=True)
    out = io.BytesIO()
    template.save(out)
    return out.getvalue()


def _data_only_fetcher():
    """WeasyPrint's fetcher for reports: ``data:`` URIs only; a report never reaches the network
    or the disk (anything else fails the rendering: a template bug, not a silent gap)."""
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols={"data"}, fail_on_errors=True)


def render_pdf(template: str, context: dict) -> bytes:
    """A Django HTML template rendered to PDF by WeasyPrint (images as ``data:`` URIs)."""
    try:
        from weasyprint import HTML
    except OSError as exc:  # the Pango library is missing (e.g. Windows without GTK)
        raise ReportError(
            "PDF tidak dapat dibuat: pustaka Pango untuk WeasyPrint belum terpasang "
            "(lihat docs/reports.md). Laporan DOCX tetap tersedia."
        ) from exc

    html = render_to_string(template, context)
    return HTML(string=html, url_fetcher=_data_only_fetcher()).write_pdf()
