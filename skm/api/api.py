"""The HTTP API, /api/v1/ (docs/api.md).

Every unit is looked up through skm.core.access (staff tokens) or the token's own unit (kiosk
tokens); a unit a token may not use answers exactly like one that does not exist (404).
Responses are saved only through skm.surveys.recording.record_response, and results come only
from skm.results.services.unit_results rendered by skm.present.result_dict, so the API prints
the very object ``skm compute --format json`` prints.
"""

from __future__ import annotations

from typing import Literal

from django.http import Http404
from ninja import NinjaAPI, P, Query
from ninja.errors import AuthenticationError, HttpError, ValidationError

from skm.core.access import get_unit
from skm.present import result_dict
from skm.results.services import unit_results
from skm.surveys.models import Response
from skm.surveys.recording import ResponseInvalid, Submission, record_response
from skm.units.models import Period, Unit
from skm.units.periods import parse_period

try:
    from ninja import Status
except ImportError:  # older django-ninja: a (status, body) tuple
    def Status(status_code, value):  # noqa: N802
        return status_code, value

from .auth import TokenAuth
from .models import ApiToken
from .schemas import CreatedOut, DetailOut, ErrorsOut, ResponseIn, ResultOut

UNAUTHORIZED = "Token tidak ada, tidak dikenal, atau sudah dicabut."
NOT_FOUND = "Unit atau layanan tidak ditemukan."
UNIT_NOT_FOUND = "Unit tidak ditemukan."
KIOSK_FORBIDDEN = "Token kios hanya dapat mengirim jawaban; hasil hanya untuk token staf."
BAD_BODY = "Isi permintaan bukan JSON yang sah."

api = NinjaAPI(
    title="skm API",
    version="1",
    description="Survei Kepuasan Masyarakat (PermenPANRB 14/2017). Lihat docs/api.md.",
    urls_namespace="api-v1",
    auth=TokenAuth(),
    # ninja's docs page loads Swagger UI from a CDN unless "ninja" is an installed app: off.
    docs_url=None,
)


# -- errors: one shape each ------------------------------------------------------------------


@api.exception_handler(AuthenticationError)
def _unauthorized(request, exc):
    response = api.create_response(request, {"detail": UNAUTHORIZED}, status=401)
    response["WWW-Authenticate"] = 'Bearer realm="skm"'
    return response


@api.exception_handler(Http404)
def _not_found(request, exc):
    return api.create_response(request, {"detail": "Tidak ditemukan."}, status=404)


@api.exception_handler(HttpError)
def _http_error(request, exc):
    message = str(exc)
    if exc.status_code == 400 and message.startswith("Cannot parse request body"):
        message = BAD_BODY
    return api.create_response(request, {"detail": message}, status=exc.status_code)


def _error_message(error: dict) -> str:
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return "Wajib diisi."
    if kind == "literal_error":
        return f"Pilih salah satu: {str(ctx.get('expected', '')).replace(' or ', ' atau ')}."
    if kind in ("greater_than_equal", "less_than_equal"):
        low, high = ctx.get("ge"), ctx.get("le")
        return f"Paling kecil {low}." if low is not None else f"Paling besar {high}."
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return "Harus bilangan bulat."
    if kind in ("string_type",):
        return "Harus teks."
    if kind in ("dict_type", "model_attributes_type", "model_type"):
        return "Harus objek JSON."
    return "Nilai tidak valid."


@api.exception_handler(ValidationError)
def _invalid(request, exc):
    """Request validation errors in the same shape as record_response's: field -> message."""
    errors: dict[str, str] = {}
    for error in exc.errors:
        loc = [str(part) for part in error.get("loc", ())]
        if loc and loc[0] in ("body", "query", "path"):
            loc = loc[1:]
        if loc and loc[0] == "payload":
            loc = loc[1:]
        errors.setdefault(".".join(loc) or "__all__", _error_message(error))
    return api.create_response(request, {"errors": errors}, status=422)


# -- POST /responses --------------------------------------------------------------------------


def _postable_unit(token: ApiToken, slug: str) -> Unit:
    """The unit this token may post to, or 404 as if it did not exist."""
    if token.kind == ApiToken.Kind.KIOSK:
        if token.unit.slug != slug:
            raise HttpError(404, NOT_FOUND)
        return token.unit
    try:
        return get_unit(token.user, slug, manage=True)
    except Http404:
        raise HttpError(404, NOT_FOUND) from None


@api.post(
    "/responses",
    response={201: CreatedOut, 401: DetailOut, 404: DetailOut, 422: ErrorsOut},
    summary="Kirim satu jawaban survei",
    description="Token kios: hanya ke unitnya sendiri (sumber `kiosk`). Token staf: ke unit "
    "yang dapat dikelola penggunanya (sumber `online`). Periode diisi otomatis menurut tanggal "
    "hari ini dan jenis periode unit.",
    tags=["jawaban"],
    operation_id="post_response",
)
def post_response(request, payload: ResponseIn):
    token: ApiToken = request.auth
    unit = _postable_unit(token, payload.unit)
    layanan = unit.layanan.filter(slug=payload.layanan).first()
    if layanan is None:
        raise HttpError(404, NOT_FOUND)
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
        return Status(422, {"errors": exc.errors})
    return Status(201, {"id": response.pk, "period": response.period.code})


# -- GET /units/{slug}/results/{period} -------------------------------------------------------


@api.get(
    "/units/{slug}/results/{period}",
    response={200: ResultOut, 401: DetailOut, 403: DetailOut, 404: DetailOut, 422: ErrorsOut},
    summary="Hasil SKM satu unit dalam satu periode",
    description="Objek yang sama dengan `skm compute --format json` (docs/cli.md), dihitung dari "
    "basis data. Hanya token staf yang penggunanya dapat membaca unit itu.",
    tags=["hasil"],
    operation_id="get_unit_results",
)
def get_unit_results(
    request,
    slug: str,
    period: str,
    combine: Query[
        Literal["mean_of_services", "pooled"],
        P(description="mean_of_services (setiap layanan sama) atau pooled (setiap responden)"),
    ] = "mean_of_services",
    weights: Query[
        Literal["equal", "0.111", "0.11"] | None,
        P(description="Kosong: skema bobot kuesioner unit. equal, atau konstanta lama."),
    ] = None,
    lowest: Query[int, P(ge=1, le=15, description="Jumlah unsur terendah (seri ikut).")] = 1,
):
    token: ApiToken = request.auth
    if token.kind != ApiToken.Kind.STAFF:
        raise HttpError(403, KIOSK_FORBIDDEN)
    try:
        spec = parse_period(period)
    except ValueError as exc:
        return Status(422, {"errors": {"period": str(exc)}})
    try:
        unit = get_unit(token.user, slug)
    except Http404:
        raise HttpError(404, UNIT_NOT_FOUND) from None
    results = unit_results(
        unit, Period.get_or_create_code(spec.code), combine, weights, lowest=lowest
    )
    return Status(200, result_dict(results.result, results.lowest, results.profile))
