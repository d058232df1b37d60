"""Review of flagged responses by an operator, at ``/u/<slug>/<period>/tinjauan/``.

A flagged response is counted until an operator rejects it. Rejecting takes its counts out of
the summary table (``summary.apply(..., sign=-1)``) in the same transaction as the decision, and
accepting a rejected one puts them back, so the figures and the summary never disagree. The
last decision is kept with who made it and when. Only operators of the unit (and admins) may
see or decide: :func:`skm.core.access.get_unit` with ``manage=True``, a 404 for anyone else.
"""

from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from skm.core.access import get_unit
from skm.results import summary
from skm.units.models import Period
from skm.units.periods import parse_period

from .models import Response
from .suspicion import flag_summary

logger = logging.getLogger("skm.surveys.review")

DECISIONS = (Response.Review.ACCEPTED, Response.Review.REJECTED)
#: the list's filters: value of ``?status=`` -> what it shows
FILTERS = ("pending", "flagged", "accepted", "rejected")


def _period_or_404(code: str) -> Period:
    try:
        spec = parse_period(code)
    except ValueError:
        raise Http404(_("Periode tidak dikenal.")) from None
    return Period.get_or_create_code(spec.code)


def decide(response: Response, decision: str, user) -> Response:
    """Record ``decision`` (accepted or rejected) on ``response`` and keep the summary table in
    step, in one transaction; the row is locked so two operators cannot apply it twice."""
    if decision not in DECISIONS:
        raise ValueError(decision)
    with transaction.atomic():
        current = Response.objects.unscoped().select_for_update().get(pk=response.pk)
        was_rejected = current.review == Response.Review.REJECTED
        if decision == Response.Review.REJECTED and not was_rejected:
            summary.apply([current], sign=-1)
        elif decision != Response.Review.REJECTED and was_rejected:
            summary.apply([current], sign=1)
        current.review = decision
        current.reviewed_by = user
        current.reviewed_at = timezone.now()
        current.save(update_fields=["review", "reviewed_by", "reviewed_at"])
    logger.info("response %s %s by %s", current.pk, decision, user)
    return current


def _flagged(unit, period):
    return (Response.objects.within([unit])
            .filter(period__in=period.contained_periods())
            .exclude(flags=""))


def _list_url(unit, period, status: str) -> str:
    url = reverse("review", kwargs={"slug": unit.slug, "period": period.code})
    return f"{url}?status={status}" if status != "pending" else url


@login_required
@require_safe
def review_list(request, slug, period):
    """The flagged responses of a unit and period, those waiting for a decision first."""
    unit = get_unit(request.user, slug, manage=True)
    shown = _period_or_404(period)
    if shown.code != period:
        return redirect(_list_url(unit, shown, request.GET.get("status", "pending")))
    status = request.GET.get("status", "pending")
    if status not in FILTERS:
        status = "pending"
    responses = _flagged(unit, shown)
    if status != "flagged":
        responses = responses.filter(review=status)
    responses = (responses.select_related("layanan", "questionnaire", "reviewed_by")
                 .order_by("-submitted_at", "-pk")[:500])
    labels = dict(Response.Flag.choices)
    rows = [{
        "response": r,
        "answers": list(r.answers().items()),
        "flags": [labels.get(f, f) for f in r.flag_list()],
        "who": r.reviewed_by.get_username() if r.reviewed_by else "",
    } for r in responses]
    filters = [(value, label, _list_url(unit, shown, value)) for value, label in (
        ("pending", _("Menunggu tinjauan")), ("flagged", _("Semua yang ditandai")),
        ("accepted", _("Diterima")), ("rejected", _("Ditolak")))]
    return render(request, "surveys/review.html", {
        "unit": unit,
        "period": shown,
        "status": status,
        "filters": filters,
        "rows": rows,
        "summary": flag_summary(unit, shown),
        "results_url": reverse("results", kwargs={"slug": unit.slug, "period": shown.code}),
    })


@login_required
@require_POST
def review_decide(request, slug, period, pk):
    """Accept or reject one flagged response, then back to the list (post/redirect/get)."""
    unit = get_unit(request.user, slug, manage=True)
    shown = _period_or_404(period)
    response = get_object_or_404(_flagged(unit, shown), pk=pk)
    status = request.POST.get("status", "pending")
    back = _list_url(unit, shown, status if status in FILTERS else "pending")
    decision = request.POST.get("keputusan", "")
    if decision not in DECISIONS:
        messages.error(request, _("Keputusan: pilih terima atau tolak."))
        return redirect(back)
    decide(response, decision, request.user)
    if decision == Response.Review.REJECTED:
        messages.success(request, _("Respons %(n)s ditolak dan tidak lagi dihitung.")
                         % {"n": response.pk})
    else:
        messages.success(request, _("Respons %(n)s diterima dan dihitung.") % {"n": response.pk})
    return redirect(back)
