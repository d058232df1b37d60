"""Protection of the public form: one-time tokens, honeypot, rate limit, kiosk devices, client IP.

Every test runs on a fresh memory cache and a clock it controls (``protection.clock``).
"""

from __future__ import annotations

import logging
import re

import pytest
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, RequestFactory

from skm.results.services import unit_results
from skm.surveys import protection
from skm.surveys.models import Response
from skm.surveys.recording import current_period
from tests.factories import make_region, make_user
from tests.surveys.conftest import START

pytestmark = pytest.mark.django_db

FORM = "/s/jatinegara-kaum/pkk/"
OTHER_FORM = "/s/jatinegara-kaum/posyandu/"
THANKS = "/s/jatinegara-kaum/pkk/terima-kasih/"


@pytest.fixture(autouse=True)
def form_rate(settings):
    settings.SKM_FORM_RATE_LIMIT = "30/m"


@pytest.fixture
def region():
    return make_region()


def answers(**override):
    data = {f"U{i}": str((i % 4) + 1) for i in range(1, 10)}
    data.update(override)
    return {k: v for k, v in data.items() if v is not None}


def token_in(html: str) -> str:
    match = re.search(r'name="kirim_id" value="([^"]+)"', html)
    assert match, "no kirim_id on the page"
    return match.group(1)


def fresh_token(client, url=FORM) -> str:
    return token_in(client.get(url).content.decode())


def stored() -> int:
    return Response.objects.unscoped().count()


def respondents(region) -> int:
    return unit_results(region.kelurahan, current_period(region.kelurahan)).respondents


# ---- one-time token --------------------------------------------------------------------------

def test_every_rendered_form_has_its_own_signed_token(client, region, now):
    first, second = fresh_token(client), fresh_token(client)
    assert first != second
    assert protection.read_token(first, region.layanan[0].pk)
    assert protection.read_token(first, region.layanan[1].pk) is None  # another layanan's form
    assert protection.read_token(first[:-1] + ("A" if first[-1] != "A" else "B"),
                                 region.layanan[0].pk) is None  # tampered signature


def test_a_replayed_post_is_recorded_once_and_thanks_again(client, region, now):
    data = {**answers(), "kirim_id": fresh_token(client)}
    first = client.post(FORM, data)
    replay = client.post(FORM, data)
    from_elsewhere = Client().post(FORM, data, REMOTE_ADDR="203.0.113.9")
    for response in (first, replay, from_elsewhere):
        assert response.status_code == 303
        assert response["Location"] == THANKS
    assert stored() == 1
    assert respondents(region) == 1


def test_a_post_without_token_keeps_the_answers_and_asks_to_send_again(client, region, now):
    response = client.post(FORM, answers(jenis_kelamin="P", saran="Ruang tunggu sejuk."))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Formulir kedaluwarsa, silakan kirim ulang" in html
    assert 'role="alert"' in html
    assert 'id="U1-2" value="2" checked' in html  # U1 was 2
    assert 'id="jenis_kelamin-P" value="P" checked' in html
    assert "Ruang tunggu sejuk." in html
    assert stored() == 0
    again = client.post(FORM, {**answers(), "kirim_id": token_in(html)})
    assert again.status_code == 303
    assert stored() == 1


def test_an_expired_token_is_not_accepted_but_the_form_comes_back(client, region, now):
    token = fresh_token(client)
    now[0] += protection.TOKEN_SECONDS + 1
    response = client.post(FORM, {**answers(), "kirim_id": token})
    assert response.status_code == 200
    assert "kedaluwarsa" in response.content.decode()
    assert stored() == 0
    renewed = token_in(response.content.decode())
    assert renewed != token
    assert client.post(FORM, {**answers(), "kirim_id": renewed}).status_code == 303
    assert stored() == 1


def test_a_token_just_within_two_hours_is_accepted(client, region, now):
    token = fresh_token(client)
    now[0] += protection.TOKEN_SECONDS - 1
    assert client.post(FORM, {**answers(), "kirim_id": token}).status_code == 303
    assert stored() == 1


def test_a_token_of_another_layanan_or_a_forged_one_counts_as_missing(client, region, now):
    for token in (fresh_token(client, OTHER_FORM), "0" * 32, "x" * 500):
        response = client.post(FORM, {**answers(), "kirim_id": token})
        assert response.status_code == 200
        assert "kedaluwarsa" in response.content.decode()
    assert stored() == 0


def test_wrong_answers_without_token_show_the_errors_not_the_expiry(client, region, now):
    response = client.post(FORM, answers(U3=None))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Pertanyaan ini belum dijawab." in html
    assert "kedaluwarsa" not in html
    assert stored() == 0


def test_the_kiosk_form_uses_tokens_too(client, region, now):
    html = client.get(FORM + "?kiosk=1").content.decode()
    data = {**answers(), "kirim_id": token_in(html)}
    assert client.post(FORM + "?kiosk=1", data)["Location"] == THANKS + "?kiosk=1"
    assert client.post(FORM + "?kiosk=1", data)["Location"] == THANKS + "?kiosk=1"
    assert list(Response.objects.unscoped().values_list("source", flat=True)) == ["kiosk"]


# ---- honeypot --------------------------------------------------------------------------------

def test_the_honeypot_is_hidden_from_people(client, region, now):
    html = client.get(FORM).content.decode()
    match = re.search(r'<div class="visually-hidden" aria-hidden="true">(.*?)</div>', html, re.S)
    assert match, "honeypot container missing"
    field = re.search(r"<input [^>]*name=\"situs_web\"[^>]*>", match.group(1)).group(0)
    assert 'tabindex="-1"' in field and 'autocomplete="off"' in field and 'value=""' in field


def test_a_filled_honeypot_thanks_stores_nothing_and_logs(client, region, now, caplog):
    data = {**answers(), "kirim_id": fresh_token(client), "situs_web": "http://spam.example"}
    with caplog.at_level(logging.WARNING, logger="skm.surveys.protection"):
        response = client.post(FORM, data)
        client.post(FORM, {**data, "kirim_id": fresh_token(client)})
    assert response.status_code == 303 and response["Location"] == THANKS
    assert stored() == 0
    assert respondents(region) == 0
    lines = [r.getMessage() for r in caplog.records if "honeypot" in r.getMessage()]
    assert len(lines) == 2
    assert "layanan=pkk" in lines[0] and lines[1].endswith("count_today=2")


# ---- rate limit ------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("30/m", protection.Rate(30, 60)), ("5/s", protection.Rate(5, 1)),
    (" 500 / h ", protection.Rate(500, 3600)), ("0", None), ("", None), ("0/m", None)])
def test_rate_settings_are_read(text, expected):
    assert protection.parse_rate(text) == expected


@pytest.mark.parametrize("text", ["30", "30/d", "abc", "-1/m", "30 per minute"])
def test_a_bad_rate_setting_names_the_setting(text):
    with pytest.raises(ImproperlyConfigured, match="SKM_FORM_RATE_LIMIT"):
        protection.parse_rate(text)


def test_over_the_limit_is_429_then_allowed_after_the_window(client, region, settings, now):
    settings.SKM_FORM_RATE_LIMIT = "3/m"
    now[0] = START + 10
    for _ in range(3):
        assert client.post(FORM, {**answers(), "kirim_id": fresh_token(client)}).status_code == 303
    token = fresh_token(client)
    blocked = client.post(FORM, {**answers(U1="4"), "kirim_id": token})
    assert blocked.status_code == 429
    assert blocked["Retry-After"] == "50"  # the rest of the minute, never more
    html = blocked.content.decode()
    assert "terlalu banyak kiriman" in html and "tunggu 50 detik" in html
    assert 'id="U1-4" value="4" checked' in html  # answers kept
    assert token_in(html) == token  # the same form may be sent later
    assert stored() == 3
    now[0] = START + 59
    assert client.post(FORM, {**answers(), "kirim_id": token}).status_code == 429
    now[0] = START + 60  # a new window
    assert client.post(FORM, {**answers(), "kirim_id": token}).status_code == 303
    assert stored() == 4


def test_the_limit_is_per_address(client, region, settings, now):
    settings.SKM_FORM_RATE_LIMIT = "1/m"
    assert client.post(FORM, {**answers(), "kirim_id": fresh_token(client)}).status_code == 303
    assert client.post(FORM, {**answers(), "kirim_id": fresh_token(client)}).status_code == 429
    other = Client(REMOTE_ADDR="198.51.100.7")
    assert other.post(FORM, {**answers(), "kirim_id": fresh_token(other)}).status_code == 303
    assert stored() == 2


def test_a_limit_of_zero_turns_it_off(client, region, settings, now):
    settings.SKM_FORM_RATE_LIMIT = "0"
    for _ in range(40):
        assert client.post(FORM, answers(U3=None)).status_code == 200


# ---- kiosk devices ---------------------------------------------------------------------------

def kiosk_client(region, username="operator") -> Client:
    """A browser an operator opened kiosk mode on, then logged out of (the cookie stays)."""
    operator = make_user(username, region.kelurahan, "operator")
    device = Client()
    device.force_login(operator)
    response = device.get(FORM + "?kiosk=1")
    cookie = response.cookies[protection.KIOSK_COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    device.logout()
    device.cookies[protection.KIOSK_COOKIE] = cookie.value
    return device


def test_only_an_operator_of_the_unit_registers_a_kiosk(client, region, now):
    assert protection.KIOSK_COOKIE not in client.get(FORM + "?kiosk=1").cookies
    for username, unit, role in (("viewer", region.kelurahan, "viewer"),
                                 ("other", region.sibling, "operator")):
        someone = Client()
        someone.force_login(make_user(username, unit, role))
        assert protection.KIOSK_COOKIE not in someone.get(FORM + "?kiosk=1").cookies
    operator = Client()
    operator.force_login(make_user("operator", region.kelurahan, "operator"))
    assert protection.KIOSK_COOKIE not in operator.get(FORM).cookies  # not in kiosk mode
    assert protection.KIOSK_COOKIE in operator.get(FORM + "?kiosk=1").cookies
    assert protection.KIOSK_COOKIE in operator.get("/s/jatinegara-kaum/?kiosk=1").cookies


def test_a_kiosk_device_is_not_blocked_by_its_offices_address(client, region, settings, now):
    settings.SKM_FORM_RATE_LIMIT = "2/m"
    device = kiosk_client(region)
    # phones in the same office (same address) use up the address's limit
    for _ in range(2):
        assert client.post(FORM, {**answers(), "kirim_id": fresh_token(client)}).status_code == 303
    assert client.post(FORM, {**answers(), "kirim_id": fresh_token(client)}).status_code == 429
    # the kiosk counts on its own
    for _ in range(2):
        token = fresh_token(device, FORM + "?kiosk=1")
        assert device.post(FORM + "?kiosk=1", {**answers(), "kirim_id": token}).status_code == 303
    token = fresh_token(device, FORM + "?kiosk=1")
    assert device.post(FORM + "?kiosk=1", {**answers(), "kirim_id": token}).status_code == 429
    # ?kiosk=1 without the device cookie is just the address
    token = fresh_token(client, FORM + "?kiosk=1")
    assert client.post(FORM + "?kiosk=1", {**answers(), "kirim_id": token}).status_code == 429
    assert stored() == 4
    assert Response.objects.unscoped().filter(source="kiosk").count() == 2


def test_a_kiosk_cookie_counts_only_for_its_unit_and_only_signed(region):
    request = RequestFactory().get(FORM)
    response = Client().get(FORM)  # any response object to carry the cookie
    device = protection.register_kiosk(response, region.kelurahan.pk)
    request.COOKIES[protection.KIOSK_COOKIE] = response.cookies[protection.KIOSK_COOKIE].value
    assert protection.kiosk_device(request, region.kelurahan.pk) == device
    assert protection.kiosk_device(request, region.sibling.pk) is None
    assert protection.origin_of(request, region.kelurahan.pk, kiosk=True) == f"kiosk:{device}"
    assert protection.origin_of(request, region.kelurahan.pk, kiosk=False) == "ip:127.0.0.1"
    request.COOKIES[protection.KIOSK_COOKIE] = f"{region.kelurahan.pk}:{'a' * 32}"  # unsigned
    assert protection.kiosk_device(request, region.kelurahan.pk) is None


# ---- the client's address --------------------------------------------------------------------

def test_x_forwarded_for_is_ignored_unless_the_proxy_is_trusted(settings):
    rf = RequestFactory()
    request = rf.get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="1.2.3.4, 5.6.7.8")
    settings.SKM_TRUSTED_PROXIES = []
    assert protection.client_ip(request) == "10.0.0.5"
    settings.SKM_TRUSTED_PROXIES = ["10.0.0.0/8"]
    # the right-most address not a trusted proxy: the left part is whatever the client wrote
    assert protection.client_ip(request) == "5.6.7.8"
    chained = rf.get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="1.2.3.4, 10.0.0.9")
    assert protection.client_ip(chained) == "1.2.3.4"
    direct = rf.get("/", REMOTE_ADDR="203.0.113.1", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert protection.client_ip(direct) == "203.0.113.1"  # not from the proxy: not believed
    settings.SKM_TRUSTED_PROXIES = "10.0.0.0/8, 127.0.0.1"
    assert protection.client_ip(request) == "5.6.7.8"
    settings.SKM_TRUSTED_PROXIES = ["not-an-address"]
    with pytest.raises(ImproperlyConfigured, match="SKM_TRUSTED_PROXIES"):
        protection.client_ip(request)


# ---- the cache unreachable (Redis down) ------------------------------------------------------


class DownCache:
    """A cache whose every call fails as Redis's client does when the server is away."""

    def __init__(self, fail_on=None):
        self.fail_on = fail_on

    def __getattr__(self, name):
        real = getattr(cache, name)

        def call(*args, **kwargs):
            if self.fail_on is None or name in self.fail_on:
                raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
            return real(*args, **kwargs)

        return call


def test_without_the_cache_nothing_is_stored_and_the_answers_are_kept(client, region, now,
                                                                     monkeypatch, caplog):
    token = fresh_token(client)
    monkeypatch.setattr(protection, "cache", DownCache())
    with caplog.at_level(logging.WARNING, logger="skm.surveys.views"):
        refused = client.post(FORM, {**answers(U1="4", saran="Ramah."), "kirim_id": token})
    assert refused.status_code == 503
    assert refused["Retry-After"] == "30"
    html = refused.content.decode()
    assert "server sedang mengalami gangguan" in html and 'role="alert"' in html
    assert 'id="U1-4" value="4" checked' in html and "Ramah." in html
    assert token_in(html) != token  # a fresh token: the old one may be claimed already
    assert stored() == 0
    assert "cache is unreachable" in caplog.text
    monkeypatch.setattr(protection, "cache", cache)  # the cache is back: one more "Kirim"
    again = client.post(FORM, {**answers(U1="4"), "kirim_id": token_in(html)})
    assert again.status_code == 303
    assert stored() == 1


def test_a_cache_lost_between_the_claim_and_the_history_stores_nothing(client, region, now,
                                                                      monkeypatch):
    """The token is claimed, then the suspicion check cannot read the origin's history: the
    transaction is undone, so no response is stored without its checks."""
    monkeypatch.setattr(protection, "cache", DownCache(fail_on={"get"}))
    refused = client.post(FORM, {**answers(), "kirim_id": fresh_token(client)})
    assert refused.status_code == 503
    assert stored() == 0
    assert respondents(region) == 0


def test_the_form_still_opens_without_the_cache(client, region, monkeypatch):
    monkeypatch.setattr(protection, "cache", DownCache())
    page = client.get(FORM)
    assert page.status_code == 200 and token_in(page.content.decode())
