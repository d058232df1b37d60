"""Production settings from the environment, ``skm check --deploy``, security headers, the
Content-Security-Policy (also in real Chromium) and the password policy.

The test suite itself runs with ``SKM_HTTPS=0`` (pytest-env, see pyproject.toml); the production
settings are read in subprocesses with a production environment, as a server would.
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils import translation

from tests.factories import PASSWORD, make_region, make_user

SKM = Path(sys.executable).parent / "skm"
SKM_ROOT = Path(__file__).resolve().parents[2] / "skm"
YEAR = 365 * 24 * 3600


def production_env(tmp_path, **extra):
    """The environment of a server: no SKM_HTTPS or SKM_DEBUG (their defaults), a secret key and
    the site's host name; var/ in a temporary directory."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SKM_")}
    env.update(SKM_SECRET_KEY="k" * 30 + "-production-secret-from-the-environment-" + "x" * 20,
               SKM_ALLOWED_HOSTS="skm.jakarta.go.id", SKM_VAR_DIR=str(tmp_path / "var"))
    env.update(extra)
    return {k: v for k, v in env.items() if v is not None}


def deploy_check(env):
    return subprocess.run([str(SKM), "check", "--deploy", "--fail-level", "WARNING"], env=env,
                          capture_output=True, text=True, timeout=120)


def settings_in(env, *names):
    """The named settings as a subprocess with ``env`` loads them."""
    code = ("import json, django; from django.conf import settings; django.setup(); "
            f"print(json.dumps({{n: getattr(settings, n, None) for n in {list(names)!r}}}, "
            "default=str))")
    out = subprocess.run([sys.executable, "-c", code], env={**env,
                         "DJANGO_SETTINGS_MODULE": "skm.settings"},
                         capture_output=True, text=True, timeout=60, check=True)
    return json.loads(out.stdout)


# ---- skm check --deploy ----------------------------------------------------------------------


def test_deploy_check_passes_with_production_environment(tmp_path):
    result = deploy_check(production_env(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr


def test_deploy_check_notes_a_cache_that_only_one_machine_shares(tmp_path):
    """Only a note (one server is a valid setup); gone once Redis is configured."""
    result = deploy_check(production_env(tmp_path))
    assert result.returncode == 0 and "skm.I001" in result.stdout + result.stderr
    result = deploy_check(production_env(tmp_path, SKM_REDIS_URL="redis://127.0.0.1:6379/9"))
    assert result.returncode == 0 and "skm.I001" not in result.stdout + result.stderr


def test_deploy_check_fails_without_secret_key(tmp_path):
    result = deploy_check(production_env(tmp_path, SKM_SECRET_KEY=None))
    assert result.returncode != 0
    assert "skm.W001" in result.stderr and "SKM_SECRET_KEY" in result.stderr


def test_deploy_check_fails_without_allowed_hosts(tmp_path):
    result = deploy_check(production_env(tmp_path, SKM_ALLOWED_HOSTS=None))
    assert result.returncode != 0
    assert "skm.W002" in result.stderr


def test_deploy_check_fails_on_plain_http_and_debug(tmp_path):
    result = deploy_check(production_env(tmp_path, SKM_HTTPS="0", SKM_DEBUG="1"))
    assert result.returncode != 0
    for check in ("skm.W003", "security.W008", "security.W012", "security.W016",
                  "security.W018"):
        assert check in result.stderr, check


def test_deploy_check_fails_when_csp_allows_inline_scripts(tmp_path):
    result = deploy_check(production_env(
        tmp_path, SKM_CSP="default-src 'self'; script-src 'self' 'unsafe-inline'"))
    assert result.returncode != 0
    assert "skm.W004" in result.stderr


# ---- what the environment turns into ---------------------------------------------------------


def test_https_is_the_default(tmp_path):
    got = settings_in(production_env(tmp_path), "DEBUG", "SESSION_COOKIE_SECURE",
                      "CSRF_COOKIE_SECURE", "SECURE_SSL_REDIRECT", "SECURE_PROXY_SSL_HEADER",
                      "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "ALLOWED_HOSTS",
                      "SKM_CSP")
    assert got == {
        "DEBUG": False, "SESSION_COOKIE_SECURE": True, "CSRF_COOKIE_SECURE": True,
        "SECURE_SSL_REDIRECT": True, "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
        "SECURE_HSTS_SECONDS": YEAR, "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "ALLOWED_HOSTS": ["skm.jakarta.go.id"], "SKM_CSP": got["SKM_CSP"],
    }
    assert got["SKM_CSP"].endswith("upgrade-insecure-requests")


def test_plain_http_turns_all_of_it_off(tmp_path):
    got = settings_in(production_env(tmp_path, SKM_HTTPS="0"), "SESSION_COOKIE_SECURE",
                      "CSRF_COOKIE_SECURE", "SECURE_SSL_REDIRECT", "SECURE_PROXY_SSL_HEADER",
                      "SECURE_HSTS_SECONDS", "SKM_CSP")
    assert got["SESSION_COOKIE_SECURE"] is False and got["CSRF_COOKIE_SECURE"] is False
    assert got["SECURE_SSL_REDIRECT"] is False and got["SECURE_HSTS_SECONDS"] == 0
    assert got["SECURE_PROXY_SSL_HEADER"] is None
    assert "upgrade-insecure-requests" not in got["SKM_CSP"]


def test_login_lockout_and_2fa_come_from_the_environment(tmp_path):
    got = settings_in(production_env(tmp_path, SKM_LOGIN_FAILURE_LIMIT="3",
                                     SKM_LOGIN_LOCKOUT_MINUTES="90",
                                     SKM_REQUIRE_2FA_FOR="admin, supervisor"),
                      "AXES_FAILURE_LIMIT", "AXES_COOLOFF_TIME", "SKM_REQUIRE_2FA_FOR")
    assert got == {"AXES_FAILURE_LIMIT": 3, "AXES_COOLOFF_TIME": "1:30:00",
                   "SKM_REQUIRE_2FA_FOR": ["admin", "supervisor"]}


# ---- headers ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_every_page_has_the_security_headers(client):
    region = make_region()
    for url in ("/masuk/", "/s/jatinegara-kaum/", f"/s/jatinegara-kaum/{region.layanan[0].slug}/",
                "/api/v1/openapi.json", "/halaman-yang-tidak-ada/"):
        response = client.get(url)
        assert response["Content-Security-Policy"] == django_settings.SKM_CSP, url
        assert response["X-Frame-Options"] == "DENY", url
        assert response["Referrer-Policy"] == "same-origin", url
        assert response["X-Content-Type-Options"] == "nosniff", url


def test_the_policy_allows_scripts_only_from_our_origin():
    directives = dict(part.strip().split(" ", 1) for part in django_settings.SKM_CSP.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["default-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["base-uri"] == "'self'"
    assert directives["form-action"] == "'self'"


def test_templates_have_no_inline_script():
    """``script-src 'self'`` blocks inline code: no template may rely on it."""
    inline = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/(?:ld\+)?json)[^>]*>", re.I)
    handler = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)
    javascript_url = re.compile(r"(?:href|src|action)\s*=\s*[\"']\s*javascript:", re.I)
    found = []
    for path in SKM_ROOT.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for pattern in (inline, handler, javascript_url):
            found += [f"{path.relative_to(SKM_ROOT)}: {m.group(0)}" for m in pattern.finditer(text)]
    assert found == []


@pytest.mark.django_db
def test_https_settings_redirect_and_send_hsts(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = YEAR
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    response = client.get("/masuk/")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/masuk/"
    behind_proxy = client.get("/masuk/", HTTP_X_FORWARDED_PROTO="https")
    assert behind_proxy.status_code == 200
    assert behind_proxy["Strict-Transport-Security"] == f"max-age={YEAR}; includeSubDomains"


# ---- password policy -------------------------------------------------------------------------


def _messages(password, user=None):
    with translation.override("id"):
        try:
            validate_password(password, user)
        except ValidationError as error:
            return list(error.messages)
    return []


@pytest.mark.django_db
def test_password_policy_in_indonesian():
    assert "Kata sandi terlalu pendek. Harus mengandung setidaknya 10 karakter." in _messages(
        "Xq7#mPz2")
    assert "Kata sandi ini seluruhnya terdiri dari angka." in _messages("8371946205")
    assert "Kata sandi ini terlalu umum." in _messages("password123")
    user = make_user("siti.rahmawati")
    assert any("terlalu mirip" in m for m in _messages("siti.rahmawati1", user))
    assert _messages("Lapor-Kelurahan-2024!", user) == []


# ---- the pages in a real browser -------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_pages_in_chromium_report_no_csp_violation(live_server):
    from tests.e2e.test_public_form_to_dashboard import phone_page, require_chromium

    require_chromium()
    region = make_region()
    make_user("operator", region.kelurahan, "operator")
    admin = make_user("admin", superuser=True)
    assert admin.pk
    base = live_server.url
    slug = region.layanan[0].slug
    code = region.period.code
    pages = [f"/s/jatinegara-kaum/{slug}/", "/s/jatinegara-kaum/", "/s/jatinegara-kaum/cetak/",
             f"/u/jatinegara-kaum/{code}/", f"/u/jatinegara-kaum/{code}/rtl/",
             "/u/jatinegara-kaum/kelola/", "/p/"]
    violations, loaded = [], []
    with phone_page() as page:
        page.on("console", lambda m: violations.append(m.text)
                if "Content Security Policy" in m.text else None)
        page.on("pageerror", lambda e: violations.append(str(e)))
        page.goto(f"{base}/masuk/")
        page.fill("input[name=username]", "operator")
        page.fill("input[name=password]", PASSWORD)
        page.get_by_role("button", name="Masuk").click()
        page.wait_for_load_state("networkidle")
        for url in pages:
            response = page.goto(f"{base}{url}")
            page.wait_for_load_state("networkidle")
            loaded.append((url, response.status))
        page.goto(f"{base}/admin/")  # Django's admin, as the operator: the login page
        page.wait_for_load_state("networkidle")
        seen_on_our_pages = list(violations)
        # the listener does catch a violation: an injected inline script is blocked and reported
        with pytest.raises(Exception, match="Content Security Policy"):
            page.add_script_tag(content="window.injected = 1")
        injected = page.evaluate("typeof window.injected")
    assert seen_on_our_pages == []
    assert injected == "undefined" and any("script-src" in v for v in violations)
    assert [status for _, status in loaded if status >= 500] == []
