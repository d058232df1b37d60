"""Two-factor login (TOTP, RFC 6238) with django-otp: who needs it, and the gate that asks for it.

A user with a confirmed authenticator device is logged in only halfway by the password: until the
six-digit code (or a one-time recovery code) is entered, :class:`TwoFactorMiddleware` sends every
request to the verification page. ``SKM_REQUIRE_2FA_FOR`` (``admin,supervisor``) names the roles
that must enrol: such a user without a device is sent to the enrolment page instead.

The gate is a middleware, not a login view, so it holds for every way in: our login page, Django's
admin login, and sessions that were opened before the user enrolled or before the requirement was
switched on.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.db import transaction
from django.http import HttpResponseRedirect
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from skm.units.models import Membership

#: the roles ``SKM_REQUIRE_2FA_FOR`` may name
ROLES = ("admin", Membership.Role.SUPERVISOR, Membership.Role.OPERATOR, Membership.Role.VIEWER)
RECOVERY_CODES = 10
DEVICE_NAME = "aplikasi autentikator"
RECOVERY_NAME = "kode pemulihan"


def required_roles() -> set[str]:
    raw = getattr(settings, "SKM_REQUIRE_2FA_FOR", ())
    if isinstance(raw, str):
        raw = raw.split(",")
    return {role.strip().lower() for role in raw if role.strip()}


def roles_of(user) -> set[str]:
    """``admin`` for a superuser, plus the user's membership roles."""
    roles = set(user.memberships.values_list("role", flat=True).distinct())
    if user.is_superuser:
        roles.add("admin")
    return roles


def is_required(user) -> bool:
    """True when one of the user's roles is in ``SKM_REQUIRE_2FA_FOR``."""
    required = required_roles()
    return bool(required) and bool(required & roles_of(user))


def has_device(user) -> bool:
    """True once the user has confirmed an authenticator app (recovery codes alone do not
    count: they only stand in for a lost phone)."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def pending_device(user) -> TOTPDevice:
    """The unconfirmed device of an enrolment under way, or a new one (a fresh secret)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


@transaction.atomic
def confirm_device(device: TOTPDevice) -> list[str]:
    """Make ``device`` the user's only authenticator and give fresh recovery codes (returned
    once, never stored in clear elsewhere)."""
    TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return new_recovery_codes(device.user)


@transaction.atomic
def new_recovery_codes(user) -> list[str]:
    """Replace the user's recovery codes with :data:`RECOVERY_CODES` new ones (each works once)."""
    StaticDevice.objects.filter(user=user).delete()
    static = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=static, token=code) for code in codes)
    return codes


def remaining_recovery_codes(user) -> int:
    return StaticToken.objects.filter(device__user=user).count()


@transaction.atomic
def remove_devices(user) -> None:
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()


def check_code(user, code: str):
    """The device that accepts ``code``: six digits go to the authenticator app, anything else
    is tried as a recovery code (used up on success). ``None`` if neither accepts it or the
    device is throttled after wrong tries (django-otp doubles the wait after each one)."""
    code = "".join(code.split()).lower()
    if not code:
        return None
    if code.isdigit():
        devices = TOTPDevice.objects.filter(user=user, confirmed=True)
    else:
        devices = StaticDevice.objects.filter(user=user, confirmed=True)
    for device in devices:
        if device.verify_token(code):
            return device
    return None


def throttled(user) -> bool:
    """True while wrong codes have made the authenticator device wait."""
    return any(not device.verify_is_allowed()[0]
               for device in TOTPDevice.objects.filter(user=user, confirmed=True))


def _redirect(name: str, request) -> HttpResponseRedirect:
    return HttpResponseRedirect(
        f"{reverse(name)}?{urlencode({'next': request.get_full_path()})}"
    )


class TwoFactorMiddleware:
    """After django_otp's OTPMiddleware: send a half-logged-in user to the code page, and a user
    whose role requires 2FA but who has no device to the enrolment page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not user.is_verified():
            response = self.gate(request, user)
            if response is not None:
                return response
        return self.get_response(request)

    def gate(self, request, user):
        path = request.path_info
        always_open = {reverse("logout")}
        if path.startswith("/i18n/"):
            return None
        if has_device(user):
            if path in always_open or path == reverse("twofactor_verify"):
                return None
            return _redirect("twofactor_verify", request)
        if is_required(user):
            if path in always_open or path == reverse("twofactor_setup"):
                return None
            return _redirect("twofactor_setup", request)
        return None
