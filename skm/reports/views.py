"""Report downloads: ``/u/<slug>/<period>/laporan/<kind>.<fmt>`` for readers of the unit."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_GET

from skm.core.access import get_unit
from skm.units.models import Period
from skm.units.periods import parse_period

from .registry import CONTENT_TYPES, REPORTS, ReportError, build, filename


@login_required
@require_GET
def download(request, slug, period, kind, fmt):
    unit = get_unit(request.user, slug)
    report = REPORTS.get(kind)
    if report is None or fmt not in report.builders:
        raise Http404("unknown report")
    try:
        spec = parse_period(period)
    except ValueError:
        raise Http404("unknown period") from None
    shown = Period.get_or_create_code(spec.code)
    try:
        data = build(kind, fmt, unit, shown)
    except ReportError as exc:  # e.g. no answers yet: say why on the results page
        messages.error(request, str(exc))
        return redirect(reverse("results", kwargs={"slug": unit.slug, "period": shown.code}))
    response = HttpResponse(data, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename(kind, unit, shown, fmt)}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
