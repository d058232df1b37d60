"""Security headers and login protection (see docs/security.md).

- :class:`ContentSecurityPolicyMiddleware` puts ``settings.SKM_CSP`` on every response. Our pages
  load scripts only from our own static files (no inline ``<script>``, no ``eval``), so a script
  an attacker manages to inject into a page does not run. The policy itself is in settings.
- :class:`LoginProtectionBackend` is django-axes' lockout check (failed logins per user name and
  address), see the axes settings in ``skm/settings.py``.
"""

from __future__ import annotations

from axes.backends import AxesStandaloneBackend
from axes.helpers import get_cool_off, get_failure_limit
from django.conf import settings
from django.shortcuts import render

CSP_HEADER = "Content-Security-Policy"


class ContentSecurityPolicyMiddleware:
    """Adds the Content-Security-Policy header unless the view set its own."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = getattr(settings, "SKM_CSP", "")
        if policy:
            response.headers.setdefault(CSP_HEADER, policy)
        return response


class LoginProtectionBackend(AxesStandaloneBackend):
    """django-axes' lockout check, for every login that comes over HTTP.

    Every login form (ours at ``/masuk/``, Django's admin) passes the request, which is what a
    lockout needs: the client's address. A call without a request (Django's test client
    ``login()``, a script on the server calling ``authenticate()``) has no client to lock out;
    axes would raise there, this backend steps aside and lets ModelBackend decide.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def lockout_response(request, original_response=None, credentials=None):
    """The page a locked-out login gets (axes' ``AXES_LOCKOUT_CALLABLE``): how long to wait and
    how to be unlocked sooner, in plain Indonesian, with HTTP 429."""
    cool_off = get_cool_off(request)
    minutes = int(cool_off.total_seconds() // 60) if cool_off else 0
    return render(request, "registration/lockout.html", {
        "failure_limit": get_failure_limit(request, credentials or {}),
        "minutes": minutes,
    }, status=settings.AXES_HTTP_RESPONSE_CODE)
