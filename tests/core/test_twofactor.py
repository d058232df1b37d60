"""Two-factor login: enrol with a real TOTP code, the code step after the password, recovery
codes, and SKM_REQUIRE_2FA_FOR. The codes are computed here from the device's secret with
RFC 6238 (HMAC-SHA1, 30 s, 6 digits), independently of django-otp."""

import hashlib
import hmac
import re
import struct
import time
from base64 import b32decode

import pytest
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import PASSWORD, make_region, make_user

pytestmark = pytest.mark.django_db

SETUP = "/akun/2fa/"
VERIFY = "/akun/2fa/verifikasi/"


def totp(key: bytes, at: float, step=30, digits=6) -> str:
    """RFC 6238: HOTP (RFC 4226) of the number of ``step``-second intervals since the epoch."""
    counter = struct.pack(">Q", int(at // step))
    digest = hmac.new(key, counter, hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10 ** digits).zfill(digits)


def test_totp_helper_matches_rfc_6238_vectors():
    key = b"12345678901234567890"
    assert totp(key, 59, digits=8) == "94287082"
    assert totp(key, 1111111109, digits=8) == "07081804"
    assert totp(key, 2000000000, digits=8) == "69279037"


def login(client, username, next_url="/"):
    return client.post(f"/masuk/?next={next_url}",
                       {"username": username, "password": PASSWORD, "next": next_url})


def enrol(client):
    """Open the enrolment page, read the key shown for typing, confirm with the current code.
    Returns (the secret as the app would store it, the recovery codes shown)."""
    page = client.get(SETUP)
    assert page.status_code == 200
    text = page.content.decode()
    assert 'src="data:image/svg+xml' in text  # the QR code for the app
    shown = re.search(r"<code>([A-Z2-7 ]+)</code>", text).group(1)
    key = b32decode(shown.replace(" ", "") + "=" * (-len(shown.replace(" ", "")) % 8))
    done = client.post(SETUP, {"code": totp(key, time.time())})
    assert done.status_code == 200
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", done.content.decode())
    return key, codes


@pytest.fixture
def region():
    return make_region()


def results_url(region):
    return f"/u/jatinegara-kaum/{region.period.code}/"


def test_enrolment_with_a_real_code(client, region):
    user = make_user("kepala", region.kecamatan, "supervisor")
    client.force_login(user)
    key, codes = enrol(client)
    device = TOTPDevice.objects.get(user=user)
    assert device.confirmed and device.bin_key == key
    assert len(codes) == 10 and len(set(codes)) == 10
    assert set(StaticToken.objects.filter(device__user=user).values_list("token", flat=True)) \
        == set(codes)
    # this session entered the code: the pages open
    assert client.get(results_url(region)).status_code == 200
    status = client.get(SETUP).content.decode()
    assert "Tersisa 10 kode pemulihan" in status


def test_a_wrong_code_does_not_enrol(client, region):
    user = make_user("kepala", region.kecamatan, "supervisor")
    client.force_login(user)
    page = client.get(SETUP).content.decode()
    shown = re.search(r"<code>([A-Z2-7 ]+)</code>", page).group(1).replace(" ", "")
    key = b32decode(shown + "=" * (-len(shown) % 8))
    wrong = str((int(totp(key, time.time())) + 1) % 1_000_000).zfill(6)
    response = client.post(SETUP, {"code": wrong})
    assert response.status_code == 400
    assert "Kode: salah" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def test_password_alone_is_not_enough_once_enrolled(client, region):
    user = make_user("kepala", region.kecamatan, "supervisor")
    client.force_login(user)
    key, _ = enrol(client)
    client.logout()

    response = login(client, "kepala", results_url(region))
    assert response.status_code == 302  # the password is right...
    page = client.get(results_url(region))
    assert page.status_code == 302  # ...but the results wait for the code
    assert page["Location"].startswith(VERIFY)
    assert client.get("/admin/").status_code == 302
    assert client.get("/api/v1/units/jatinegara-kaum/results/2024-S2").status_code == 302

    wrong = client.post(VERIFY, {"code": "000000" if totp(key, time.time()) != "000000"
                                 else "111111", "next": results_url(region)})
    assert wrong.status_code == 400 and "Kode: salah" in wrong.content.decode()
    time.sleep(1.1)  # django-otp makes the device wait 1 s after one wrong code
    # the enrolment used the current interval's code; the app's next code is accepted too
    right = client.post(VERIFY, {"code": totp(key, time.time() + 30),
                                 "next": results_url(region)})
    assert right.status_code == 302 and right["Location"] == results_url(region)
    assert client.get(results_url(region)).status_code == 200


def test_a_used_code_cannot_be_replayed(client, region):
    user = make_user("kepala", region.kecamatan, "supervisor")
    client.force_login(user)
    key, _ = enrol(client)
    code = totp(key, time.time() + 30)
    client.logout()
    login(client, "kepala")
    assert client.post(VERIFY, {"code": code}).status_code == 302
    other = type(client)()
    login(other, "kepala")
    assert other.post(VERIFY, {"code": code}).status_code == 400


def test_recovery_code_works_once(client, region):
    user = make_user("kepala", region.kecamatan, "supervisor")
    client.force_login(user)
    _, codes = enrol(client)
    client.logout()
    login(client, "kepala")
    used = client.post(VERIFY, {"code": codes[0].upper()})
    assert used.status_code == 302
    assert client.get(results_url(region)).status_code == 200
    assert StaticToken.objects.filter(device__user=user).count() == 9
    other = type(client)()
    login(other, "kepala")
    assert other.post(VERIFY, {"code": codes[0]}).status_code == 400


def test_new_recovery_codes_replace_the_old(client, region):
    user = make_user("kepala", region.kecamatan, "supervisor")
    client.force_login(user)
    _, old = enrol(client)
    page = client.post("/akun/2fa/kode-pemulihan/")
    new = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", page.content.decode())
    assert len(new) == 10 and not set(new) & set(old)
    assert set(StaticToken.objects.filter(device__user=user).values_list("token", flat=True)) \
        == set(new)


def test_sessions_opened_before_enrolment_must_enter_the_code(client, region):
    user = make_user("kepala", region.kecamatan, "supervisor")
    other = type(client)()
    other.force_login(user)  # e.g. still logged in on another computer
    client.force_login(user)
    enrol(client)
    response = other.get(results_url(region))
    assert response.status_code == 302 and response["Location"].startswith(VERIFY)


def test_required_roles_must_enrol_at_login(client, region, settings):
    settings.SKM_REQUIRE_2FA_FOR = ["admin", "supervisor"]
    make_user("kepala", region.kecamatan, "supervisor")
    make_user("operator", region.kelurahan, "operator")
    make_user("admin", superuser=True)
    for username in ("kepala", "admin"):
        client.logout()
        login(client, username)
        page = client.get(results_url(region))
        assert page.status_code == 302 and page["Location"].startswith(SETUP), username
        assert "wajib" in client.get(SETUP).content.decode()
    client.logout()
    login(client, "operator")
    assert client.get(results_url(region)).status_code == 200


def test_required_user_cannot_disable(client, region, settings):
    settings.SKM_REQUIRE_2FA_FOR = ["supervisor"]
    user = make_user("kepala", region.kecamatan, "supervisor")
    client.force_login(user)
    enrol(client)
    client.post("/akun/2fa/nonaktifkan/")
    assert TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def test_voluntary_user_can_disable(client, region):
    user = make_user("operator", region.kelurahan, "operator")
    client.force_login(user)
    enrol(client)
    assert client.post("/akun/2fa/nonaktifkan/").status_code == 302
    assert not TOTPDevice.objects.filter(user=user).exists()
    client.logout()
    login(client, "operator")
    assert client.get(results_url(region)).status_code == 200


def test_unsafe_next_is_not_followed(client, region):
    user = make_user("kepala", region.kecamatan, "supervisor")
    client.force_login(user)
    key, _ = enrol(client)
    client.logout()
    login(client, "kepala")
    response = client.post(VERIFY, {"code": totp(key, time.time() + 30),
                                    "next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == "/"


def test_wrong_codes_make_the_device_wait(client, region):
    """After a wrong code django-otp refuses every code for a while (1 s, then 2, 4...): six
    digits cannot be guessed at network speed."""
    user = make_user("kepala", region.kecamatan, "supervisor")
    client.force_login(user)
    key, _ = enrol(client)
    client.logout()
    login(client, "kepala")
    right = totp(key, time.time() + 30)
    wrong = "000000" if right != "000000" else "111111"
    assert client.post(VERIFY, {"code": wrong}).status_code == 400
    refused = client.post(VERIFY, {"code": right})
    assert refused.status_code == 400
    assert "terlalu banyak percobaan" in refused.content.decode()
