"""``Authorization: Bearer <key>``: the request's token is ``request.auth`` (an ApiToken)."""

from __future__ import annotations

from ninja.security import HttpBearer

from .models import ApiToken


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
