"""The HTTP API, /api/v1/ (docs/api.md).

Every unit is looked up through skm.core.access with the token's user (staff tokens) or is the
token's own unit (kiosk tokens); a unit a token may not use answers exactly like one that does
not exist (404). Scopes (read, write, kiosk) narrow a token further; a missing scope is a 403.
Responses are saved only through skm.surveys.recording.record_response, results come only from
skm.results.services rendered by skm.present.result_dict, RTL changes go through the RTL page's
forms and leave the same history rows.

Every 4xx is ``{"detail": ..., "errors": [{"field": ..., "message": ...}]}`` (errors.py).
"""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from . import followup, responses, results, units
from .auth import TokenAuth
from .errors import ApiError, body, pydantic_errors

api = NinjaAPI(
    title="skm API",
    version="1",
    description="Survei Kepuasan Masyarakat (PermenPANRB 14/2017). Lihat docs/api.md. "
    "Setiap galat 4xx berbentuk {\"detail\": ..., \"errors\": [{\"field\": ..., "
    "\"message\": ...}]}.",
    urls_namespace="api-v1",
    auth=TokenAuth(),
    # ninja's docs page loads Swagger UI from a CDN unless "ninja" is an installed app: off.
    docs_url=None,
)


def unauthorized_message() -> str:
    return _("Token tidak ada, tidak dikenal, atau sudah dicabut.")


# -- errors: one shape for all ------------------------------------------------------------------


@api.exception_handler(ApiError)
def _api_error(request, exc: ApiError):
    return api.create_response(request, body(exc.detail, exc.errors), status=exc.status)


@api.exception_handler(AuthenticationError)
def _unauthorized(request, exc):
    response = api.create_response(request, body(unauthorized_message()), status=401)
    response["WWW-Authenticate"] = 'Bearer realm="skm"'
    return response


@api.exception_handler(Http404)
def _not_found(request, exc):
    return api.create_response(request, body(_("Tidak ditemukan.")), status=404)


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    message = str(exc)
    if exc.status_code == 400 and message.startswith("Cannot parse request body"):
        message = _("Isi permintaan bukan JSON yang sah.")
    return api.create_response(request, body(message), status=exc.status_code)


@api.exception_handler(ValidationError)
def _invalid(request, exc: ValidationError):
    """ninja's (pydantic's) request validation, field by field, in the API's shape."""
    return api.create_response(
        request, body(_("Data tidak valid; lihat errors."), pydantic_errors(exc.errors)),
        status=422,
    )


api.add_router("/", units.router)
api.add_router("/", responses.router)
api.add_router("/", results.router)
api.add_router("/", followup.router)
