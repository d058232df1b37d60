"""Responses: POST one (kiosk or write scope), GET them paged and filtered (read scope).

Listing reads only the units the token's user manages (operators of the unit, admins): single
responses carry saran and profile, personal data that readers (viewers, supervisors) see only
as figures, as with the export. A unit filter naming any other unit is a 404, as for a unit
that does not exist.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.params import P

from skm.core.access import get_unit, manageable_units
from skm.surveys.models import Response
from skm.surveys.recording import ResponseInvalid, Submission, layanan_of, record_response
from skm.units.models import Unit
from skm.units.periods import parse_period

from .auth import require_scope, unit_for
from .errors import ApiError, field_errors, invalid, invalid_field
from .models import SCOPE_KIOSK, SCOPE_READ, SCOPE_WRITE, ApiToken
from .schemas import CreatedOut, ErrorOut, ResponseIn, ResponsePageOut

router = Router(tags=["jawaban"])

MAX_PAGE_SIZE = 500
MAX_PAGE = 1_000_000
#: submitted_at filters outside these years are refused (they cannot match, and extreme values
#: overflow when converted to UTC)
YEARS = (1900, 2999)


def not_found_message() -> str:
    return _("Unit atau layanan tidak ditemukan.")


# -- POST /responses ------------------------------------------------------------------------------


def _postable_unit(token: ApiToken, slug: str) -> Unit:
    """The unit this token may post to, or 404 as if it did not exist."""
    if token.has_scope(SCOPE_KIOSK):
        if token.kind != ApiToken.Kind.KIOSK or token.unit.slug != slug:
            raise ApiError(404, not_found_message())
        return token.unit
    try:
        return get_unit(token.user, slug, manage=True)
    except Http404:
        raise ApiError(404, not_found_message()) from None


@router.post(
    "/responses",
    response={201: CreatedOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut,
              422: ErrorOut},
    summary="Kirim satu jawaban survei",
    description="Cakupan kiosk: hanya ke unit token itu (sumber `kiosk`). Cakupan write: ke unit "
    "yang dapat dikelola pengguna token (sumber `online`). Periode diisi otomatis menurut "
    "tanggal hari ini dan jenis periode unit.",
    operation_id="post_response",
)
def post_response(request, payload: ResponseIn):
    token = require_scope(request, SCOPE_KIOSK, SCOPE_WRITE)
    unit = _postable_unit(token, payload.unit)
    layanan = layanan_of(unit, payload.layanan)
    if layanan is None:
        raise ApiError(404, not_found_message())
    submission = Submission(
        answers=payload.answers,
        jenis_kelamin=payload.jenis_kelamin or "",
        usia=payload.usia,
        pendidikan=payload.pendidikan or "",
        pekerjaan=payload.pekerjaan or "",
        saran=payload.saran or "",
    )
    if token.kind == ApiToken.Kind.KIOSK:
        source, entered_by = Response.Source.KIOSK, None
    else:
        source, entered_by = Response.Source.ONLINE, token.user
    try:
        response = record_response(unit, layanan, submission, source, entered_by=entered_by)
    except ResponseInvalid as exc:
        raise invalid(field_errors(exc.errors)) from None
    return Status(201, {"id": response.pk, "period": response.period.code})


# -- GET /responses -------------------------------------------------------------------------------


def _aware(value: datetime | None, field: str) -> datetime | None:
    if value is None:
        return None
    if not YEARS[0] <= value.year <= YEARS[1]:
        raise invalid_field(field, _("Tahun di luar %(low)s-%(high)s.")
                            % {"low": YEARS[0], "high": YEARS[1]})
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    # as UTC: an offset PostgreSQL does not take (beyond +-15:59, e.g. "-18:22") is still a
    # valid instant, and must not reach the database as written
    return value.astimezone(UTC)


def _response_dict(response: Response, codes_of: dict[int, dict[str, str]]) -> dict:
    qid = response.questionnaire_id
    if qid not in codes_of:
        codes_of[qid] = response.questionnaire.slot_codes()
    return {
        "id": response.pk,
        "unit": response.unit.slug,
        "layanan": response.layanan.slug,
        "period": response.period.code,
        "questionnaire": response.questionnaire.version,
        "submitted_at": response.submitted_at,
        "source": response.source,
        "answers": {code: getattr(response, slot) for slot, code in codes_of[qid].items()},
        "jenis_kelamin": response.gender,
        "usia": response.age,
        "pendidikan": response.education,
        "pekerjaan": response.occupation,
        "saran": response.saran,
        "entered_by": response.entered_by.get_username() if response.entered_by else None,
    }


@router.get(
    "/responses",
    response={200: ResponsePageOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Jawaban survei, per halaman, dengan saringan",
    description="Hanya jawaban unit yang dikelola pengguna token (operator unit itu, admin): "
    "jawaban satu per satu memuat saran dan profil responden. Pembaca lain memakai /results. "
    "Urut menurut waktu kirim lalu id, jadi halaman demi halaman tidak melompati atau "
    "mengulang jawaban.",
    operation_id="list_responses",
)
def list_responses(
    request,
    unit: Query[str | None, P(description="Slug unit.", max_length=80)] = None,
    period: Query[str | None, P(description="Kode periode; 2024 mencakup semua periode di "
                                "dalamnya.", max_length=20)] = None,
    layanan: Query[str | None, P(description="Slug layanan (bersama unit, atau di semua unit).",
                                 max_length=80)] = None,
    source: Query[Literal["online", "kiosk", "paper", "import"] | None,
                  P(description="Sumber jawaban.")] = None,
    submitted_from: Query[datetime | None, P(description="Dikirim pada atau setelah ini "
                                             "(ISO 8601).")] = None,
    submitted_to: Query[datetime | None, P(description="Dikirim sebelum ini (ISO 8601).")] = None,
    page: Query[int, P(ge=1, le=MAX_PAGE)] = 1,
    page_size: Query[int, P(ge=1, le=MAX_PAGE_SIZE)] = 100,
):
    # single responses (with saran and profile) are personal data: only for those who manage
    # the unit, as the export (docs/export.md); readers get figures from /results
    token = require_scope(request, SCOPE_READ)
    units = manageable_units(token.user)
    if unit is not None:
        units = [unit_for(request, unit, manage=True)]
    found = Response.objects.within(units)
    if period is not None:
        try:
            spec = parse_period(period)
        except ValueError as exc:
            raise invalid_field("period", str(exc)) from None
        found = found.filter(period__start__gte=spec.start, period__end__lte=spec.end)
    if layanan is not None:
        found = found.filter(layanan__slug=layanan)
    if source is not None:
        found = found.filter(source=source)
    start, end = _aware(submitted_from, "submitted_from"), _aware(submitted_to, "submitted_to")
    if start is not None:
        found = found.filter(submitted_at__gte=start)
    if end is not None:
        found = found.filter(submitted_at__lt=end)
    count = found.count()
    offset = (page - 1) * page_size
    rows = (found.select_related("unit", "layanan", "period", "questionnaire", "entered_by")
            .order_by("submitted_at", "pk")[offset:offset + page_size])
    codes_of: dict[int, dict[str, str]] = {}
    return {"count": count, "page": page, "page_size": page_size,
                 "items": [_response_dict(r, codes_of) for r in rows]}
