"""``poster`` (PDF, one A4 page): the publication format of Lampiran IV (p.30), for the wall of
the service room.

It shows what the regulation's example shows: the unit and period, NILAI IKM (konversi) in large
type with its mutu and kinerja, the layanan with their IKM, the respondents with the L/P split
and their pendidikan, and the survey period; plus the method (p.23 asks for it) and a QR code to
the unit's public form, so a reader can rate the service there and then. Every figure comes
from :func:`skm.results.services.unit_results`.
"""

from __future__ import annotations

import io

from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from skm.engine.profile import NOT_GIVEN, UNRECOGNISED, ordered_categories
from skm.followup.services import tanggal_id
from skm.formatting import decimal_id, integer_id
from skm.present import COMBINE_DESCRIPTIONS, WEIGHT_DESCRIPTIONS
from skm.surveys import qr

from .common import cover, render_pdf, results_of
from .registry import ReportError, register


def qr_svg(url: str) -> str:
    """The QR code of ``url`` as inline SVG markup: the same symbol as the survey print sheet
    (``skm.surveys.qr``: error level M, 4-module quiet zone), drawn as vectors in the PDF.

    Inline rather than a ``data:`` URI, so the PDF needs no resource fetching at all; the
    markup is segno's own output for a URL we built, so it is safe to mark as such.
    """
    out = io.BytesIO()
    qr.make(url).save(out, kind="svg", scale=1, border=qr.BORDER, omitsize=True, xmldecl=False,
                      svgclass="qr", lineclass=None, title=url)
    return mark_safe(out.getvalue().decode("utf-8"))  # noqa: S308 (segno's markup)


def _counts(profile, field: str, keep: tuple[str, ...]) -> list[dict]:
    """The categories of ``field`` in report order: those in ``keep`` always (the regulation's
    example lists them even at 0), the catch-alls only when someone falls in them."""
    counts = profile.get(field, {})
    return [
        {"label": label, "count": integer_id(counts.get(label, 0))}
        for label in ordered_categories(field)
        if label in keep or counts.get(label)
    ]


def poster_context(unit, period) -> dict:
    results = results_of(unit, period)
    overall = results.result.overall
    if not overall.respondents:
        raise ReportError(
            _("{unit} belum punya responden pada {period}; poster tidak dibuat.").format(
                unit=unit.name, period=period.label)
        )
    grade = overall.grade
    facts = cover(unit, period)
    place = ", ".join(p for p in (facts.kecamatan, facts.kota, facts.provinsi) if p)
    gender = _counts(results.profile, "jenis_kelamin", ("L", "P"))
    education_keep = tuple(c for c in ordered_categories("pendidikan")
                           if c not in (NOT_GIVEN, UNRECOGNISED))
    url = qr.absolute_url(reverse("survey-unit", kwargs={"unit_slug": unit.slug}))
    layanan = [
        {
            "name": group.name,
            "respondents": integer_id(group.respondents),
            "konversi": decimal_id(group.konversi),
            "mutu": group.grade.mutu if group.grade else "-",
        }
        for group in results.result.layanan
    ]
    return {
        "unit": facts.unit,
        "place": place,
        "period": period.label,
        "start": tanggal_id(period.start),
        "end": tanggal_id(period.end),
        "konversi": decimal_id(overall.konversi),
        "ikm": decimal_id(overall.ikm, 4),
        "mutu": grade.mutu if grade else "-",
        "kinerja": grade.kinerja if grade else "-",
        "konversi_label": (_("IKM unit (semua responden)")
                           if results.result.method.combine == "pooled"
                           else _("rata-rata IKM layanan")),
        "layanan": layanan,
        "compact": len(layanan) > 8,
        "respondents": integer_id(overall.respondents),
        "gender": {g["label"]: g["count"] for g in gender},
        "gender_other": [g for g in gender if g["label"] not in ("L", "P")],
        "pendidikan": _counts(results.profile, "pendidikan", education_keep),
        "method": _("Metode: {weights}; {combine}; nilai konversi = IKM x 25.").format(
            weights=WEIGHT_DESCRIPTIONS[results.result.method.weights],
            combine=COMBINE_DESCRIPTIONS[results.result.method.combine]),
        "survey_url": url,
        "qr": qr_svg(url),
    }


@register("poster", "pdf", label=gettext_lazy("Poster Publikasi IKM"))
def poster_pdf(unit, period) -> bytes:
    return render_pdf("reports/poster.html", poster_context(unit, period))
