"""The export page of a unit, ``/u/<slug>/ekspor/``, and its download (docs/export.md).

Only those who manage the unit (its operators, and admins) may export: the export holds every
response with its saran and profile, which viewers and supervisors see only as counts and
figures. :func:`skm.core.access.get_unit` with ``manage=True``, a 404 for anyone else.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from pathlib import Path

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from skm.core.access import get_unit
from skm.followup.models import RtlItem
from skm.results.services import counted
from skm.units.models import Period

from .exporting import ExportError, export_unit, resolve_period, stream_responses_csv

logger = logging.getLogger("skm.imports.export")

#: format of the form -> (label, file suffix, content type)
DOWNLOADS = {
    "csv": (gettext_lazy("CSV respons (dapat diimpor kembali)"), "csv",
            "text/csv; charset=utf-8"),
    "zip": (gettext_lazy("ZIP: semua tabel CSV dan berkas dokumentasi"), "zip",
            "application/zip"),
    "xlsx": (gettext_lazy("XLSX: satu lembar per tabel (tanpa berkas dokumentasi)"), "xlsx",
             "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "json": (gettext_lazy("JSON: satu dokumen (tanpa berkas dokumentasi)"), "json",
             "application/json"),
}


def _periods(unit) -> list[Period]:
    """The periods that hold anything of the unit: counted responses or RTL items."""
    ids = set(counted(unit, "period_id"))
    ids |= set(RtlItem.objects.filter(unit=unit).values_list("period_id", flat=True))
    return list(Period.objects.filter(pk__in=ids).order_by("-start", "end"))


def _page(request, unit, *, error: str = "", status: int = 200):
    return render(request, "imports/export.html", {
        "unit": unit,
        "periods": _periods(unit),
        "formats": [(key, label) for key, (label, _s, _c) in DOWNLOADS.items()],
        "chosen_format": request.GET.get("format", "zip"),
        "chosen_period": request.GET.get("period", ""),
        "download_url": reverse("export-download", kwargs={"slug": unit.slug}),
        "error": error,
    }, status=status)


@login_required
@require_safe
def export_page(request, slug):
    """The choice of format and period."""
    return _page(request, get_unit(request.user, slug, manage=True))


def _file_name(unit, period, suffix: str) -> str:
    stamp = timezone.localdate().strftime("%Y%m%d")
    return f"ekspor-{unit.slug}-{period.code if period else 'semua'}-{stamp}.{suffix}"


@login_required
@require_safe
def export_download(request, slug):
    """The export as a download: the responses CSV streamed row by row, the other formats built
    in a temporary file and streamed from it (the file is gone once the download ends)."""
    unit = get_unit(request.user, slug, manage=True)
    fmt = request.GET.get("format", "")
    if fmt not in DOWNLOADS:
        return _page(request, unit, error=_("Pilih format ekspor."), status=400)
    try:
        period = resolve_period(request.GET.get("period", ""))
    except ExportError as exc:
        return _page(request, unit, error=exc.message, status=400)
    logger.info("export of %s (%s, %s) by %s", unit.slug, fmt,
                period.code if period else "semua", request.user)
    _label, suffix, content_type = DOWNLOADS[fmt]
    name = _file_name(unit, period, suffix)
    if fmt == "csv":
        response = StreamingHttpResponse(stream_responses_csv(unit, period),
                                         content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    folder = tempfile.mkdtemp(prefix="skm-unduh-")
    path = Path(folder) / name
    try:
        export_unit(unit, period, fmt, out=path)
        handle = open(path, "rb")  # noqa: SIM115 (FileResponse closes it)
    except ExportError as exc:
        return _page(request, unit, error=exc.message, status=400)
    finally:
        # an open handle keeps the bytes readable; the name goes now (POSIX)
        shutil.rmtree(folder, ignore_errors=True)
    return FileResponse(handle, as_attachment=True, filename=name, content_type=content_type)
