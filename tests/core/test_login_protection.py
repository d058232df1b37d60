"""Brute force on the login page: django-axes locks a user name from one address after
AXES_FAILURE_LIMIT failures; an admin unlocks it; other addresses and the test client's
``login()`` are not affected."""

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command

from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db

LOGIN = "/masuk/"


def attempt(client, username, password, ip="10.1.2.3", path=LOGIN):
    return client.post(path, {"username": username, "password": password}, REMOTE_ADDR=ip)


def fail_until_locked(client, username, limit, ip="10.1.2.3"):
    statuses = [attempt(client, username, "salah-sekali", ip).status_code for _ in range(limit)]
    return statuses


@pytest.fixture
def limit(settings):
    settings.AXES_FAILURE_LIMIT = 5
    return 5


def test_wrong_passwords_lock_the_user_name_from_that_address(client, limit):
    make_user("operator")
    statuses = fail_until_locked(client, "operator", limit)
    assert statuses[:limit - 1] == [200] * (limit - 1)  # the form again, with its error
    assert statuses[-1] == 429
    locked = attempt(client, "operator", PASSWORD)  # even the right password now
    assert locked.status_code == 429
    text = locked.content.decode()
    assert "Akun dikunci sementara" in text
    assert "30 menit" in text and "(5 kali)" in text
    assert "_auth_user_id" not in client.session


def test_other_addresses_and_other_names_still_log_in(client, limit):
    make_user("operator")
    make_user("viewer")
    fail_until_locked(client, "operator", limit)
    assert attempt(client, "operator", PASSWORD, ip="10.9.9.9").status_code == 302
    client.logout()
    assert attempt(client, "viewer", PASSWORD).status_code == 302


def test_fewer_failures_than_the_limit_then_success_resets(client, limit):
    make_user("operator")
    fail_until_locked(client, "operator", limit - 1)
    assert attempt(client, "operator", PASSWORD).status_code == 302
    client.logout()
    assert AccessAttempt.objects.filter(username="operator").count() == 0
    statuses = fail_until_locked(client, "operator", limit - 1)
    assert 429 not in statuses


def test_admin_unlocks_with_the_command(client, limit):
    make_user("operator")
    fail_until_locked(client, "operator", limit)
    assert attempt(client, "operator", PASSWORD).status_code == 429
    call_command("axes_reset_username", "operator")
    assert attempt(client, "operator", PASSWORD).status_code == 302


def test_admin_unlocks_in_the_admin(client, limit):
    make_user("operator")
    fail_until_locked(client, "operator", limit)
    admin_client = type(client)()
    admin_client.force_login(make_user("admin", superuser=True))
    record = AccessAttempt.objects.get(username="operator")
    page = admin_client.get("/admin/axes/accessattempt/")
    assert page.status_code == 200 and "operator" in page.content.decode()
    response = admin_client.post(f"/admin/axes/accessattempt/{record.pk}/delete/",
                                 {"post": "yes"})
    assert response.status_code == 302
    assert attempt(client, "operator", PASSWORD).status_code == 302


def test_admin_login_form_is_protected_too(client, limit):
    make_user("admin", superuser=True)
    for _ in range(limit):
        attempt(client, "admin", "salah-sekali", path="/admin/login/")
    assert attempt(client, "admin", PASSWORD).status_code == 429


def test_lockout_is_counted_behind_a_trusted_proxy_per_client(client, settings, limit):
    """Behind nginx every request comes from the proxy's address: with SKM_TRUSTED_PROXIES the
    client's own address (X-Forwarded-For) counts, so one office is not locked for another."""
    settings.SKM_TRUSTED_PROXIES = "10.0.0.5"
    make_user("operator")
    for _ in range(limit):
        client.post(LOGIN, {"username": "operator", "password": "x"}, REMOTE_ADDR="10.0.0.5",
                    HTTP_X_FORWARDED_FOR="203.0.113.7")
    other = client.post(LOGIN, {"username": "operator", "password": PASSWORD},
                        REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="198.51.100.2")
    assert other.status_code == 302
    assert AccessAttempt.objects.get(username="operator").ip_address == "203.0.113.7"


def test_test_client_login_still_works(client):
    """Existing tests call ``client.login()``, which passes no request: the lockout backend
    steps aside and the password is still checked."""
    make_user("operator")
    assert client.login(username="operator", password=PASSWORD)
    assert not client.login(username="operator", password="salah")
