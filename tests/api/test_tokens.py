"""API tokens: hashed keys, who is refused (401), `skm token`, the admin, openapi.json."""

import hashlib
import re
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, transaction

from skm.api.models import ApiToken
from skm.units.models import Membership
from tests.factories import make_region, make_user

pytestmark = pytest.mark.django_db

RESULTS = "/api/v1/units/jatinegara-kaum/results/2024-S2"


@pytest.fixture
def region():
    return make_region()


def bearer(key):
    return {"Authorization": f"Bearer {key}"}


def test_key_is_shown_once_and_only_its_hash_is_stored(region):
    token, key = ApiToken.issue("kiosk", "Kios loket 1", unit=region.kelurahan)
    assert len(key) >= 43  # secrets.token_urlsafe(32)
    assert token.prefix == key[:8]
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {ApiToken._meta.db_table}")  # noqa: S608
        rows = cursor.fetchall()
    stored = " ".join(str(value) for row in rows for value in row)
    assert key not in stored
    assert key[8:20] not in stored  # not even a fragment beyond the display prefix
    assert ApiToken.from_key(key) == token


def test_two_tokens_get_different_keys(region):
    _, first = ApiToken.issue("kiosk", "Kios 1", unit=region.kelurahan)
    _, second = ApiToken.issue("kiosk", "Kios 2", unit=region.kelurahan)
    assert first != second


def test_kind_and_owner_must_agree(region):
    user = make_user("op", region.kelurahan, Membership.Role.OPERATOR)
    with pytest.raises(ValidationError):
        ApiToken.issue("kiosk", "Kios tanpa unit")
    with pytest.raises(ValidationError):
        ApiToken.issue("staff", "Staf tanpa pengguna", unit=region.kelurahan)
    with pytest.raises(ValidationError):
        ApiToken.issue("kiosk", "Kios dengan pengguna", unit=region.kelurahan, user=user)
    with pytest.raises(IntegrityError), transaction.atomic():  # the database says so too
        ApiToken(kind="kiosk", name="x", prefix="abcdefgh", key_hash="0" * 64).save()
    assert not ApiToken.objects.exists()


def test_unknown_revoked_and_missing_keys_are_refused(region, client):
    token, key = ApiToken.issue("kiosk", "Kios", unit=region.kelurahan)
    other_first = "y" if key[0] == "x" else "x"  # a key that differs, whatever the key drew
    assert ApiToken.from_key(other_first + key[1:]) is None
    assert ApiToken.from_key("") is None
    token.revoke()
    assert ApiToken.from_key(key) is None


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer "},
        {"Authorization": "Bearer tidak-ada-token-seperti-ini"},
        {"Authorization": "Token tidak-ada"},
        {"Authorization": "Basic dXNlcjpwYXNz"},
    ],
)
def test_requests_without_a_valid_token_get_401(region, client, headers):
    for response in (
        client.get(RESULTS, headers=headers),
        client.post("/api/v1/responses", {}, content_type="application/json", headers=headers),
    ):
        assert response.status_code == 401
        assert response.json() == {
            "detail": "Token tidak ada, tidak dikenal, atau sudah dicabut.", "errors": []}
        assert response["WWW-Authenticate"].startswith("Bearer")


def test_revoked_token_gets_401(region, client):
    user = make_user("op", region.kelurahan, Membership.Role.OPERATOR)
    token, key = ApiToken.issue("staff", "Laptop operator", user=user)
    assert client.get(RESULTS, headers=bearer(key)).status_code == 200
    token.revoke()
    assert client.get(RESULTS, headers=bearer(key)).status_code == 401


def test_staff_token_of_a_deactivated_user_gets_401(region, client):
    user = make_user("op", region.kelurahan, Membership.Role.OPERATOR)
    _, key = ApiToken.issue("staff", "Laptop operator", user=user)
    user.is_active = False
    user.save()
    assert client.get(RESULTS, headers=bearer(key)).status_code == 401


def test_use_is_recorded(region, client):
    user = make_user("op", region.kelurahan, Membership.Role.OPERATOR)
    token, key = ApiToken.issue("staff", "Laptop operator", user=user)
    assert token.last_used_at is None
    client.get(RESULTS, headers=bearer(key))
    token.refresh_from_db()
    assert token.last_used_at is not None


# -- skm token ---------------------------------------------------------------------------------


def run_token(*args):
    out, err = StringIO(), StringIO()
    call_command("token", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_token_create_kiosk_prints_only_the_key_on_stdout(region, client):
    out, err = run_token("create", "--kind", "kiosk", "--unit", "jatinegara-kaum",
                         "--name", "Kios loket 1")
    key = out.strip()
    assert "\n" not in key and len(key) >= 43
    token = ApiToken.objects.get()
    assert (token.kind, token.unit, token.user, token.name) == (
        "kiosk", region.kelurahan, None, "Kios loket 1")
    assert token.prefix in err and "hanya ditampilkan sekali" in err
    assert key not in err
    assert ApiToken.from_key(key) == token


def test_token_create_staff(region):
    user = make_user("operator1", region.kelurahan, Membership.Role.OPERATOR)
    out, _ = run_token("create", "--kind", "staff", "--user", "operator1", "--name", "Laptop")
    token = ApiToken.from_key(out.strip())
    assert (token.kind, token.user, token.unit) == ("staff", user, None)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--kind", "kiosk", "--unit", "tidak-ada", "--name", "K"], "Unit 'tidak-ada'"),
        (["--kind", "kiosk", "--name", "K"], "memerlukan --unit"),
        (["--kind", "staff", "--user", "siapa", "--name", "S"], "Pengguna 'siapa'"),
        (["--kind", "staff", "--unit", "jatinegara-kaum", "--name", "S"], "memerlukan --user"),
    ],
)
def test_token_create_refuses_bad_input_with_status_2(region, args, message):
    with pytest.raises(CommandError, match=message) as info:
        run_token("create", *args)
    assert info.value.returncode == 2
    assert not ApiToken.objects.exists()


def test_token_list_and_revoke(region, client):
    key, _ = run_token("create", "--kind", "kiosk", "--unit", "jatinegara-kaum", "--name", "Kios")
    key = key.strip()
    token = ApiToken.objects.get()
    listing, _ = run_token("list")
    assert token.prefix in listing and "Kios" in listing and "aktif" in listing
    assert key not in listing
    out, _ = run_token("revoke", token.prefix)
    assert "dicabut" in out
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert token.prefix not in run_token("list")[0]
    assert token.prefix in run_token("list", "--all")[0]
    response = client.post("/api/v1/responses", {}, content_type="application/json",
                           headers=bearer(key))
    assert response.status_code == 401
    with pytest.raises(CommandError, match="Tidak ada token") as info:
        run_token("revoke", "zzzzzzzz")
    assert info.value.returncode == 2


# -- admin ---------------------------------------------------------------------------------------


def test_admin_shows_a_new_key_once(region, admin_client):
    response = admin_client.post(
        "/admin/api/apitoken/add/",
        {"name": "Kios loket 2", "kind": "kiosk", "unit": region.kelurahan.pk, "user": ""},
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    key = re.search(r"<code[^>]*>([A-Za-z0-9_-]{43,})</code>", html).group(1)
    token = ApiToken.objects.get()
    assert ApiToken.from_key(key) == token
    change_page = admin_client.get(f"/admin/api/apitoken/{token.pk}/change/").content.decode()
    assert token.prefix in change_page and key not in change_page


def test_admin_refuses_a_kiosk_token_without_unit(region, admin_client):
    response = admin_client.post(
        "/admin/api/apitoken/add/", {"name": "Kios", "kind": "kiosk", "unit": "", "user": ""}
    )
    assert response.status_code == 200
    assert "Token kios harus punya unit" in response.content.decode()
    assert not ApiToken.objects.exists()


# -- OpenAPI -------------------------------------------------------------------------------------


def test_openapi_json_lists_both_endpoints(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.json()
    assert "post" in spec["paths"]["/api/v1/responses"]
    assert "get" in spec["paths"]["/api/v1/units/{slug}/results/{period}"]
    schemes = spec["components"]["securitySchemes"]
    assert any(s.get("scheme") == "bearer" for s in schemes.values())


def test_no_docs_page_that_would_load_a_cdn(client):
    assert client.get("/api/v1/docs").status_code == 404
