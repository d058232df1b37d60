"""The public survey: the form a citizen fills in on a phone or at a kiosk, and its QR codes.

No login, no JavaScript, no external requests. Every answer goes through
:func:`skm.surveys.recording.record_response`; these views only read the request and lay out
the page. See docs/survey-form.md.
"""

from __future__ import annotations

import logging

from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from skm.core.access import can_manage
from skm.units.models import Layanan, Unit

from . import protection, qr
from .forms import TOKEN_FIELD, SurveyForm
from .models import Response
from .recording import (
    ResponseInvalid,
    layanan_of,
    questionnaire_for,
    record_response,
    unit_by_slug,
    validate,
)

KIOSK_REFRESH_SECONDS = 6

logger = logging.getLogger(__name__)
#: what a refused post's page asks the respondent to wait before sending again
UNAVAILABLE_RETRY_SECONDS = 30


def _unit(slug: str) -> Unit:
    unit = unit_by_slug(slug)
    if unit is None:
        raise Http404
    return unit


def _layanan(unit: Unit, slug: str) -> Layanan:
    """An active layanan of ``unit``; a closed one answers like one that does not exist."""
    layanan = layanan_of(unit, slug)
    if layanan is None or not layanan.active:
        raise Http404
    return layanan


def _is_kiosk(request) -> bool:
    return request.GET.get("kiosk") == "1"


def _with_kiosk(url: str, kiosk: bool) -> str:
    return f"{url}?kiosk=1" if kiosk else url


def _form_url(unit: Unit, layanan: Layanan) -> str:
    return reverse("survey-form", kwargs={"unit_slug": unit.slug, "layanan_slug": layanan.slug})


def _render_form(request, unit, layanan, form, kiosk, token=None, status=200, **notices):
    """The form page; ``token`` is the one the form was sent with, if it may be sent again,
    else a fresh one is issued. ``notices``: ``expired=True`` or ``retry_after=seconds``."""
    context = {
        "unit": unit,
        "layanan": layanan,
        "form": form,
        "kiosk": kiosk,
        "action": _with_kiosk(_form_url(unit, layanan), kiosk),
        "token_field": TOKEN_FIELD,
        "token": token or protection.issue_token(layanan.pk),
        "honeypot_field": protection.HONEYPOT_FIELD,
        **notices,
    }
    return render(request, "surveys/form.html", context, status=status)


def _register_kiosk(request, unit: Unit, kiosk: bool, response):
    """An operator (logged in, managing ``unit``) opening kiosk mode makes this browser a
    registered kiosk device of the unit: a signed cookie, so the rate limit counts this device
    on its own rather than the office's shared address."""
    user = request.user
    if kiosk and user.is_authenticated and can_manage(user, unit):
        device = protection.kiosk_device(request, unit.pk)
        protection.register_kiosk(response, unit.pk, device)
    return response


@never_cache
@require_safe
def unit_page(request, unit_slug):
    """One active layanan: its form. Several: the list to choose from."""
    unit = _unit(unit_slug)
    kiosk = _is_kiosk(request)
    active = list(unit.layanan.filter(active=True))
    if len(active) == 1:
        form = SurveyForm(questionnaire_for(unit))
        return _register_kiosk(request, unit, kiosk,
                               _render_form(request, unit, active[0], form, kiosk))
    links = [(item, _with_kiosk(_form_url(unit, item), kiosk)) for item in active]
    page = render(request, "surveys/unit.html", {"unit": unit, "links": links, "kiosk": kiosk})
    return _register_kiosk(request, unit, kiosk, page)


@never_cache  # a shared kiosk must not show the last respondent's answers on "Back"
@require_http_methods(["GET", "HEAD", "POST"])
def form_page(request, unit_slug, layanan_slug):
    """GET: a fresh form with a one-time token. POST, in this order: the rate limit (429 with
    the answers kept), the honeypot (thanks, nothing stored), the token (missing or expired:
    the form again; already used: thanks, nothing stored), then ``record_response``. When the
    cache cannot be reached, none of that can be checked: 503 with the answers kept."""
    unit = _unit(unit_slug)
    layanan = _layanan(unit, layanan_slug)
    kiosk = _is_kiosk(request)
    version = questionnaire_for(unit)
    if request.method != "POST":
        page = _render_form(request, unit, layanan, SurveyForm(version), kiosk)
        return _register_kiosk(request, unit, kiosk, page)

    form = SurveyForm(version, request.POST)
    try:
        return _receive(request, unit, layanan, version, form, kiosk)
    except protection.CacheUnavailable:
        # tokens and the rate limit cannot be checked: nothing is stored (a claimed token or a
        # started transaction is undone), the answers stay on the page with a fresh token
        logger.warning("survey form refused a post: the cache is unreachable", exc_info=True)
        form = SurveyForm(version, request.POST)
        page = _render_form(request, unit, layanan, form, kiosk, status=503,
                            unavailable=True, retry_after=UNAVAILABLE_RETRY_SECONDS)
        page["Retry-After"] = str(UNAVAILABLE_RETRY_SECONDS)
        return page


def _receive(request, unit, layanan, version, form, kiosk):
    """The POST of :func:`form_page`, in its order; may raise ``CacheUnavailable``."""
    origin = protection.origin_of(request, unit.pk, kiosk)
    raw_token = request.POST.get(TOKEN_FIELD, "")
    nonce = protection.read_token(raw_token, layanan.pk)
    wait = protection.hit(origin, protection.form_rate())
    if wait:
        page = _render_form(request, unit, layanan, form, kiosk, raw_token if nonce else None,
                            status=429, retry_after=wait)
        page["Retry-After"] = str(wait)
        return page
    thanks = _with_kiosk(
        reverse("survey-thanks", kwargs={"unit_slug": unit.slug, "layanan_slug": layanan.slug}),
        kiosk,
    )
    if protection.honeypot_filled(request.POST):
        if nonce:
            protection.claim(nonce)
        protection.log_honeypot(unit.slug, layanan.slug, origin)
        return _see_other(thanks)  # a bot learns nothing; nothing is stored
    if nonce is None:
        # no token, a forged one or one older than two hours: nothing stored, answers kept;
        # problems with the answers are shown at once so one more "Kirim" is enough
        try:
            validate(form.submission(), version)
        except ResponseInvalid as invalid:
            form.errors = invalid.errors
            return _render_form(request, unit, layanan, form, kiosk)
        return _render_form(request, unit, layanan, form, kiosk, expired=True)
    if not protection.claim(nonce):
        # this form was recorded already (a double tap, "Back" and send, a replay)
        return _see_other(thanks)
    source = Response.Source.KIOSK if kiosk else Response.Source.ONLINE
    try:
        record_response(unit, layanan, form.submission(), source=source, origin=origin)
    except ResponseInvalid as invalid:
        protection.release(nonce)
        form.errors = invalid.errors
        return _render_form(request, unit, layanan, form, kiosk, raw_token)
    except protection.CacheUnavailable:
        raise  # the claim cannot be given back either: the page offers a fresh token
    except BaseException:
        protection.release(nonce)  # nothing was stored: the same form may be sent again
        raise
    return _see_other(thanks)


def _see_other(url: str) -> HttpResponseRedirect:
    response = HttpResponseRedirect(url)
    response.status_code = 303  # after a POST: the browser GETs the thank-you page
    return response


@never_cache
@require_safe
def thanks_page(request, unit_slug, layanan_slug):
    unit = _unit(unit_slug)
    layanan = _layanan(unit, layanan_slug)
    kiosk = _is_kiosk(request)
    several = unit.layanan.filter(active=True).count() > 1
    return render(request, "surveys/thanks.html", {
        "unit": unit,
        "layanan": layanan,
        "kiosk": kiosk,
        "again_url": _with_kiosk(_form_url(unit, layanan), kiosk),
        "unit_url": _with_kiosk(reverse("survey-unit", kwargs={"unit_slug": unit.slug}), kiosk)
        if several else "",
        "refresh_seconds": KIOSK_REFRESH_SECONDS,
    })


def _qr_response(path: str, fmt: str, filename: str) -> HttpResponse:
    response = HttpResponse(qr.render(qr.absolute_url(path), fmt),
                            content_type=qr.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'inline; filename="{filename}.{fmt}"'
    response["Cache-Control"] = "public, max-age=3600"
    return response


@require_safe
def unit_qr(request, unit_slug, fmt):
    unit = _unit(unit_slug)
    path = reverse("survey-unit", kwargs={"unit_slug": unit.slug})
    return _qr_response(path, fmt, f"skm-{unit.slug}")


@require_safe
def form_qr(request, unit_slug, layanan_slug, fmt):
    unit = _unit(unit_slug)
    layanan = _layanan(unit, layanan_slug)
    return _qr_response(_form_url(unit, layanan), fmt, f"skm-{unit.slug}-{layanan.slug}")


@require_safe
def print_page(request, unit_slug):
    """One A4 page per survey link: the unit's own (when it has several layanan) and each
    layanan's, with the QR code and the address written out."""
    unit = _unit(unit_slug)
    active = list(unit.layanan.filter(active=True))
    sheets = []
    if len(active) > 1:
        path = reverse("survey-unit", kwargs={"unit_slug": unit.slug})
        sheets.append({
            "title": "",
            "url": qr.absolute_url(path),
            "qr": reverse("survey-unit-qr", kwargs={"unit_slug": unit.slug, "fmt": "svg"}),
        })
    for item in active:
        sheets.append({
            "title": item.name,
            "url": qr.absolute_url(_form_url(unit, item)),
            "qr": reverse("survey-form-qr", kwargs={
                "unit_slug": unit.slug, "layanan_slug": item.slug, "fmt": "svg"}),
        })
    return render(request, "surveys/print.html", {"unit": unit, "sheets": sheets})
