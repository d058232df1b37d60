"""Two-factor pages: enrol an authenticator app, enter the code after the password, recovery
codes. The rules (who must, what counts as a code) live in :mod:`skm.core.twofactor`."""

from __future__ import annotations

from base64 import b32encode

import django_otp
import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_static.models import StaticDevice

from . import twofactor


def _next_url(request) -> str:
    """Where to go after the code: ``next`` if it is one of our own pages, else the home page."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "/"


def _grouped(secret: str) -> str:
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def _codes_page(request, codes):
    return render(request, "core/twofactor_codes.html", {"codes": codes,
                                                         "next": _next_url(request)})


@login_required
def setup(request):
    """Enrol: scan the QR code (or type the key), confirm with the first code. A user who
    already has a device (and entered its code in this session) sees its status instead."""
    user = request.user
    if twofactor.has_device(user):
        return render(request, "core/twofactor_status.html", {
            "remaining": twofactor.remaining_recovery_codes(user),
            "required": twofactor.is_required(user),
        })
    device = twofactor.pending_device(user)
    error = ""
    if request.method == "POST":
        code = "".join(request.POST.get("code", "").split())
        if not code:
            error = _("Kode: isi enam angka dari aplikasi autentikator.")
        elif device.verify_token(code):
            codes = twofactor.confirm_device(device)
            django_otp.login(request, device)
            return _codes_page(request, codes)
        else:
            error = _("Kode: salah atau sudah kedaluwarsa. Periksa jam ponsel lalu coba kode "
                      "yang baru.")
    secret = b32encode(device.bin_key).decode("ascii").rstrip("=")
    return render(request, "core/twofactor_setup.html", {
        "qr": segno.make(device.config_url, error="m").svg_data_uri(scale=5),
        "secret": _grouped(secret),
        "error": error,
        "required": twofactor.is_required(user),
        "next": _next_url(request),
    }, status=400 if error else 200)


@login_required
def verify(request):
    """The second step of the login: the code from the app, or a recovery code."""
    user = request.user
    if user.is_verified() or not twofactor.has_device(user):
        return redirect(_next_url(request))
    error = ""
    if request.method == "POST":
        code = request.POST.get("code", "")
        if code.strip().isdigit() and twofactor.throttled(user):
            error = _("Kode: terlalu banyak percobaan salah. Tunggu sebentar lalu coba lagi.")
        elif (device := twofactor.check_code(user, code)) is not None:
            django_otp.login(request, device)
            if isinstance(device, StaticDevice):
                left = twofactor.remaining_recovery_codes(user)
                messages.warning(request, _(
                    "Anda masuk dengan kode pemulihan; tersisa %(n)d. Buat kode baru di halaman "
                    "verifikasi dua langkah bila hampir habis.") % {"n": left})
            return redirect(_next_url(request))
        else:
            error = _("Kode: salah atau sudah dipakai. Coba kode yang baru atau kode pemulihan.")
    return render(request, "core/twofactor_verify.html",
                  {"error": error, "next": _next_url(request)}, status=400 if error else 200)


@require_POST
@login_required
def recovery_codes(request):
    """Replace the recovery codes (the old ones stop working)."""
    if not (request.user.is_verified() and twofactor.has_device(request.user)):
        return redirect("twofactor_setup")
    return _codes_page(request, twofactor.new_recovery_codes(request.user))


@require_POST
@login_required
def disable(request):
    """Remove the authenticator and the recovery codes, unless the user's role requires 2FA."""
    user = request.user
    if not user.is_verified() or twofactor.is_required(user):
        messages.error(request, _("Verifikasi dua langkah wajib untuk peran Anda; tidak dapat "
                                  "dinonaktifkan."))
        return redirect("twofactor_setup")
    twofactor.remove_devices(user)
    messages.success(request, _("Verifikasi dua langkah dinonaktifkan."))
    return redirect("twofactor_setup")
