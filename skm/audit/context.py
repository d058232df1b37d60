"""Who is acting right now: the request's user, an API token, or a management command.

Signal receivers have no request, so the acting party travels in a context variable. The
middleware puts the request itself there, not its user: the API authenticates a token inside
the view (django-ninja sets ``request.auth`` after every middleware has run), so the actor is
read from the request only when an entry is written.
"""

from __future__ import annotations

import contextlib
from contextvars import ContextVar
from dataclasses import dataclass

#: the actor text when nothing is known (a shell, a script without a command)
SYSTEM = "sistem"
ANONYMOUS = "anonim"


@dataclass(frozen=True)
class Origin:
    request: object = None
    actor: str = ""
    user: object = None


_origin: ContextVar[Origin | None] = ContextVar("skm_audit_origin", default=None)


class AuditMiddleware:
    """Makes the current request the origin of every audit entry written while it runs.

    Place it after AuthenticationMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _origin.set(Origin(request=request))
        try:
            return self.get_response(request)
        finally:
            _origin.reset(token)


@contextlib.contextmanager
def acting_as(actor: str, user=None, replace: bool = True):
    """Attribute the changes made inside the block to ``actor`` (and ``user``), e.g.
    ``acting_as("command:import")``. With ``replace=False`` an origin already set wins."""
    if not replace and _origin.get() is not None:
        yield
        return
    token = _origin.set(Origin(actor=actor, user=user))
    try:
        yield
    finally:
        _origin.reset(token)


def current() -> tuple[object, str]:
    """``(user or None, actor text)`` of whoever is acting now."""
    origin = _origin.get()
    if origin is None:
        return None, SYSTEM
    if origin.request is None:
        return origin.user, origin.actor
    return _from_request(origin.request)


def _from_request(request) -> tuple[object, str]:
    from skm.api.models import ApiToken

    auth = getattr(request, "auth", None)
    if isinstance(auth, ApiToken):
        return auth.user, f"api-token:{auth.name}"
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None, ANONYMOUS
    match = getattr(request, "resolver_match", None)
    if match is not None and match.namespace == "admin":
        return user, f"admin:{user.get_username()}"
    return user, user.get_username()


def name_management_commands() -> None:
    """Run every management command as ``command:<name>`` (``skm token``, ``skm import``,
    ``skm demo``...), however it is started: the ``skm`` CLI, ``manage.py`` or
    ``call_command``. Django has no hook for this, so ``BaseCommand.execute`` is wrapped once;
    a command started by another command keeps the outer one's name."""
    from django.core.management.base import BaseCommand

    if getattr(BaseCommand.execute, "_skm_audit", False):
        return
    original = BaseCommand.execute

    def execute(self, *args, **options):
        name = type(self).__module__.rpartition(".")[2]
        with acting_as(f"command:{name}", replace=False):
            return original(self, *args, **options)

    execute._skm_audit = True
    BaseCommand.execute = execute
