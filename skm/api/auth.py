"""``Authorization: Bearer <key>``: the request's token is ``request.auth`` (an ApiToken)."""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _
from ninja.security import HttpBearer

from skm.core.access import get_unit
from skm.units.models import Unit

from .errors import ApiError
from .models import SCOPE_READ, SCOPE_WRITE, ApiToken


class TokenAuth(HttpBearer):
    """A staff or kiosk token. No key, an unknown key or a revoked token: 401.

    A staff token whose user has been deactivated is refused like a revoked one.
    """

    def authenticate(self, request, token: str) -> ApiToken | None:
        api_token = ApiToken.from_key(token.strip())
        if api_token is None:
            return None
        if api_token.kind == ApiToken.Kind.STAFF and not api_token.user.is_active:
            return None
        return api_token


# -- scopes and units: the UI's access rules, narrowed by the token's scopes -------------------

def require_scope(request, *scopes: str) -> ApiToken:
    """The request's token if it holds one of ``scopes``; 403 naming them otherwise.

    Checked before any unit is looked up, so a token without the scope learns nothing about
    which units exist.
    """
    token: ApiToken = request.auth
    if not any(token.has_scope(s) for s in scopes):
        wanted = _(" atau ").join(f"'{s}'" for s in scopes)
        raise ApiError(403, _("Token ini tidak punya cakupan %(scope)s untuk permintaan ini.")
                       % {"scope": wanted})
    return token


def unit_for(request, slug: str, scope: str = SCOPE_READ, manage: bool | None = None) -> Unit:
    """The unit ``slug`` as the token's user may see it: readable for ``read``, manageable for
    ``write`` (or as ``manage`` says). A unit the user may not use is a 404 exactly like one
    that does not exist."""
    token = require_scope(request, scope)
    try:
        return get_unit(token.user, slug, manage=scope == SCOPE_WRITE if manage is None
                        else manage)
    except Http404:
        raise ApiError(404, _("Unit tidak ditemukan.")) from None
