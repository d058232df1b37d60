"""Protection of the public survey form: one-time form tokens, the honeypot, the rate limit,
the client's address and the kiosk device cookie.

Everything lives in the Django cache (Redis with ``SKM_REDIS_URL``, else a file cache shared by
the processes of one machine), never in the database: nothing here is about a respondent, only
about requests. See docs/survey-form.md, "Perlindungan".
"""

from __future__ import annotations

import ipaddress
import logging
import os
import re
import secrets
import time
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured

logger = logging.getLogger("skm.surveys.protection")


class CacheUnavailable(Exception):
    """The shared cache (Redis) did not answer: form tokens, the rate limit and the recent
    history of an origin cannot be checked, so the form takes no answer until it does."""


class _Guarded:
    """The default cache, its failures raised as :class:`CacheUnavailable`."""

    def __getattr__(self, name):
        method = getattr(cache, name)

        def call(*args, **kwargs):
            try:
                return method(*args, **kwargs)
            except ValueError:  # ``incr`` of a missing key: the callers handle it
                raise
            except Exception as exc:
                raise CacheUnavailable(f"cache.{name}: {exc}") from exc

        return call


shared = _Guarded()

#: a rendered form may be sent within this time; its nonce is remembered as long after use
TOKEN_SECONDS = 2 * 60 * 60
TOKEN_SALT = "skm.surveys.form-token"
#: the honeypot: a text field people never see; a bot filling every field fills it too
HONEYPOT_FIELD = "situs_web"
#: the signed cookie that names a kiosk device registered by an operator
KIOSK_COOKIE = "skm_kiosk"
KIOSK_SALT = "skm.surveys.kiosk-device"
KIOSK_COOKIE_SECONDS = 365 * 24 * 60 * 60

_NONCE = re.compile(r"^[0-9a-f]{32}$")
_RATE = re.compile(r"^\s*(\d+)\s*/\s*(s|m|h)\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600}


def clock() -> float:
    """Seconds since the epoch; the one clock of this module (tests replace it)."""
    return time.time()


# ---- one-time form tokens --------------------------------------------------------------------


def issue_token(layanan_id: int) -> str:
    """A signed token for one rendered form of ``layanan_id``.

    Issuing writes nothing: the signature proves we issued it and when, so a bot that only
    fetches forms cannot fill the cache. The nonce is stored once the form is sent.
    """
    nonce = secrets.token_hex(16)
    signer = signing.Signer(salt=TOKEN_SALT)
    return signer.sign(f"{layanan_id}.{nonce}.{int(clock())}")


def read_token(token: str, layanan_id: int) -> str | None:
    """The nonce of a valid, unexpired token for ``layanan_id``, else ``None``."""
    if not token or len(token) > 200:
        return None
    signer = signing.Signer(salt=TOKEN_SALT)
    try:
        value = signer.unsign(token)
    except signing.BadSignature:
        return None
    parts = value.split(".")
    if len(parts) != 3 or parts[0] != str(layanan_id) or not _NONCE.match(parts[1]):
        return None
    try:
        issued = int(parts[2])
    except ValueError:
        return None
    # our own clock, not the signer's, so that expiry follows ``clock`` everywhere
    if not 0 <= clock() - issued <= TOKEN_SECONDS:
        return None
    return parts[1]


def _used_key(nonce: str) -> str:
    return f"skm:form-used:{nonce}"


def claim(nonce: str) -> bool:
    """Mark the nonce used; ``False`` when it was used already (a replay or a double tap).

    ``cache.add`` is atomic on Redis and the memory cache: of two simultaneous posts of one
    form, exactly one gets ``True``.
    """
    return shared.add(_used_key(nonce), 1, TOKEN_SECONDS + 60)


def release(nonce: str) -> None:
    """Give a claimed nonce back: the form was refused (a missing answer) and may be sent again
    after correction."""
    shared.delete(_used_key(nonce))


# ---- honeypot --------------------------------------------------------------------------------


def honeypot_filled(post) -> bool:
    return bool((post.get(HONEYPOT_FIELD) or "").strip())


def log_honeypot(unit_slug: str, layanan_slug: str, client: str) -> None:
    """One log line per caught post, with a running count for the day (per cache)."""
    key = f"skm:honeypot:{time.strftime('%Y-%m-%d', time.gmtime(clock()))}"
    shared.add(key, 0, 2 * 24 * 60 * 60)
    try:
        count = shared.incr(key)
    except ValueError:  # evicted between add and incr
        count = 1
    logger.warning("honeypot filled: unit=%s layanan=%s client=%s count_today=%s",
                   unit_slug, layanan_slug, client, count)


# ---- rate limit ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rate:
    count: int
    seconds: int


def parse_rate(text: str | None) -> Rate | None:
    """``"30/m"`` -> Rate(30, 60); ``"0"`` or empty -> ``None`` (no limit)."""
    text = (text or "").strip()
    if text in ("", "0"):
        return None
    match = _RATE.match(text)
    if not match:
        raise ImproperlyConfigured(
            f"SKM_FORM_RATE_LIMIT={text!r}: write N/s, N/m or N/h (e.g. 30/m), or 0 to turn off"
        )
    count = int(match.group(1))
    if count == 0:
        return None
    return Rate(count, _UNIT_SECONDS[match.group(2)])


def form_rate() -> Rate | None:
    return parse_rate(getattr(settings, "SKM_FORM_RATE_LIMIT", "30/m"))


def hit(bucket: str, rate: Rate | None) -> int:
    """Count one post for ``bucket``; 0 if allowed, else the seconds until it is allowed again.

    A fixed window of ``rate.seconds``: a client over the limit waits at most until the window
    ends, never longer, whatever it keeps sending.
    """
    if rate is None:
        return 0
    now = clock()
    window = int(now // rate.seconds)
    key = f"skm:form-rate:{bucket}:{rate.seconds}:{window}"
    shared.add(key, 0, rate.seconds + 1)
    try:
        count = shared.incr(key)
    except ValueError:  # the key expired between add and incr: a new window
        shared.set(key, 1, rate.seconds + 1)
        count = 1
    if count <= rate.count:
        return 0
    return max(1, int((window + 1) * rate.seconds - now + 0.999))


# ---- the client ------------------------------------------------------------------------------


def trusted_proxies() -> list:
    """``SKM_TRUSTED_PROXIES``: addresses or networks (comma-separated) of the reverse proxies
    whose ``X-Forwarded-For`` is believed. Empty: only ``REMOTE_ADDR`` counts."""
    raw = getattr(settings, "SKM_TRUSTED_PROXIES", None)
    if raw is None:
        raw = os.environ.get("SKM_TRUSTED_PROXIES", "")
    if isinstance(raw, str):
        raw = raw.split(",")
    networks = []
    for item in raw:
        item = item.strip()
        if item:
            try:
                networks.append(ipaddress.ip_network(item, strict=False))
            except ValueError:
                raise ImproperlyConfigured(
                    f"SKM_TRUSTED_PROXIES: {item!r} is not an address or network") from None
    return networks


def _address(text: str):
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def client_ip(request) -> str:
    """The client's address: ``REMOTE_ADDR``, or, when that is a trusted proxy, the right-most
    address of ``X-Forwarded-For`` that is not a trusted proxy itself (the left part of the
    header is whatever the client wrote, so it is never believed)."""
    remote = request.META.get("REMOTE_ADDR", "") or ""
    proxies = trusted_proxies()
    address = _address(remote)
    if not proxies or address is None or not any(address in net for net in proxies):
        return remote
    forwarded = [part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    for part in reversed(forwarded):
        candidate = _address(part)
        if candidate is None:
            break
        if not any(candidate in net for net in proxies):
            return str(candidate)
    return remote


# ---- kiosk devices ---------------------------------------------------------------------------


def kiosk_device(request, unit_id: int) -> str | None:
    """The id of the registered kiosk device sending ``request`` for unit ``unit_id``."""
    value = request.get_signed_cookie(KIOSK_COOKIE, default=None, salt=KIOSK_SALT,
                                      max_age=KIOSK_COOKIE_SECONDS)
    if not value:
        return None
    unit, _, device = value.partition(":")
    if unit != str(unit_id) or not _NONCE.match(device):
        return None
    return device


def register_kiosk(response, unit_id: int, device: str | None = None) -> str:
    """Set the kiosk device cookie on ``response`` (an operator opened kiosk mode)."""
    device = device or secrets.token_hex(16)
    response.set_signed_cookie(
        KIOSK_COOKIE, f"{unit_id}:{device}", salt=KIOSK_SALT, max_age=KIOSK_COOKIE_SECONDS,
        httponly=True, samesite="Lax", secure=getattr(settings, "SESSION_COOKIE_SECURE", False),
    )
    return device


def origin_of(request, unit_id: int, kiosk: bool) -> str:
    """Who is posting, for the rate limit and the suspicion checks: ``kiosk:<device>`` for a
    registered kiosk in kiosk mode, else ``ip:<address>``."""
    if kiosk:
        device = kiosk_device(request, unit_id)
        if device:
            return f"kiosk:{device}"
    return f"ip:{client_ip(request)}"
