"""Django settings, all from environment variables (see docs/deploy.md).

SQLite under ``var/`` is the default, so one command runs skm on a laptop; ``SKM_DATABASE_URL``
points it at PostgreSQL, ``SKM_REDIS_URL`` at a cache shared by several app servers.
"""

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    return env(name, "1" if default else "0").strip().lower() in ("1", "true", "yes", "on")


VAR_DIR = Path(env("SKM_VAR_DIR", str(Path.cwd() / "var"))).resolve()
DEBUG = env_bool("SKM_DEBUG")


SECRET_KEY_FROM_ENV = bool(env("SKM_SECRET_KEY"))


def _secret_key() -> str:
    key = env("SKM_SECRET_KEY")
    if key:
        return key
    # No key in the environment: a laptop install. Keep a random one under var/ so sessions
    # survive restarts; a server sets SKM_SECRET_KEY (``skm check --deploy`` says so).
    path = VAR_DIR / "secret_key"
    if path.exists():
        return path.read_text().strip()
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    path.write_text(key)
    path.chmod(0o600)
    return key


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = [h.strip() for h in env("SKM_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")
                 if h.strip()]
ALLOWED_HOSTS_FROM_ENV = bool(env("SKM_ALLOWED_HOSTS"))  # ``skm check --deploy`` asks for it
CSRF_TRUSTED_ORIGINS = [o for o in env("SKM_CSRF_TRUSTED_ORIGINS").split(",") if o]
SITE_URL = env("SKM_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "skm.core",
    "skm.units",
    "skm.surveys",
    "skm.results",
    "skm.api",
    "skm.followup",
    "skm.reports",
    "skm.publication",
    "skm.imports",
    "skm.audit",
    "axes",  # login lockout (docs/security.md)
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "skm.core.security.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "skm.core.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "skm.audit.context.AuditMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "skm.core.twofactor.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a locked-out login into the lockout page
]

ROOT_URLCONF = "skm.urls"
WSGI_APPLICATION = "skm.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env("SKM_DATABASE_URL", f"sqlite:///{VAR_DIR / 'skm.sqlite3'}"), conn_max_age=60,
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let a kiosk and an operator write at the same time.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

if env("SKM_REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": env("SKM_REDIS_URL"),
        }
    }
else:
    # Shared by every worker process on one machine (a per-process memory cache is not).
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

#: posts of the public survey form per IP (or per registered kiosk device): "30/m", "5/s",
#: "500/h"; "0" turns the limit off (see docs/survey-form.md)
SKM_FORM_RATE_LIMIT = env("SKM_FORM_RATE_LIMIT", "30/m")

AUTH_PASSWORD_VALIDATORS = [  # Django's messages come in Indonesian (its own translations)
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": int(env("SKM_PASSWORD_MIN_LENGTH", "10"))}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "skm.core.security.LoginProtectionBackend",  # django-axes: refuses a locked-out login
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "id"
LANGUAGES = [("id", "Bahasa Indonesia"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env("SKM_TIME_ZONE", "Asia/Jakarta")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True  # serve static files without collectstatic on a laptop
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"  # never served as such: evidence files go through an access-checked view
#: the largest evidence file (photo or PDF) an operator may upload, in MB
SKM_UPLOAD_MAX_MB = int(env("SKM_UPLOAD_MAX_MB", "10"))

# ---- security (docs/security.md) ----
#: served over HTTPS by a TLS-terminating proxy (the default): secure cookies, HSTS, the redirect
#: to https://, and the proxy's X-Forwarded-Proto is believed. SKM_HTTPS=0 only for plain-HTTP
#: intranet and test setups (``skm demo`` on http://127.0.0.1 sets it for itself).
SKM_HTTPS = env_bool("SKM_HTTPS", default=True)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = SKM_HTTPS
CSRF_COOKIE_SECURE = SKM_HTTPS
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if SKM_HTTPS:
    SECURE_SSL_REDIRECT = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(env("SKM_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # Preloading is the domain owner's decision for the whole domain (e.g. all of a pemda's
    # go.id), not one application's: off unless asked for, and the check for it is silenced.
    SECURE_HSTS_PRELOAD = env_bool("SKM_HSTS_PRELOAD")
    if not SECURE_HSTS_PRELOAD:
        SILENCED_SYSTEM_CHECKS = ["security.W021"]
#: the Content-Security-Policy header on every response (skm/core/security.py): everything from
#: our own origin only. Scripts come only from our static files (no inline script, no eval);
#: styles may be inline (the printable pages and Django's admin use them; styles run no code).
SKM_CSP = env("SKM_CSP") or "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
] + (["upgrade-insecure-requests"] if SKM_HTTPS else []))

# Login lockout (django-axes): SKM_LOGIN_FAILURE_LIMIT failed logins for one user name from one
# address lock that pair for SKM_LOGIN_LOCKOUT_MINUTES; an admin unlocks sooner (admin page
# "Access attempts", or ``skm axes_reset_username NAME``).
AXES_FAILURE_LIMIT = int(env("SKM_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(env("SKM_LOGIN_LOCKOUT_MINUTES", "30")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "skm.core.security.lockout_response"
AXES_CLIENT_IP_CALLABLE = "skm.surveys.protection.client_ip"  # honours SKM_TRUSTED_PROXIES
AXES_VERBOSE = False

# Two-factor login (django-otp, TOTP): available to every staff user; the roles listed here
# ("admin", "supervisor", "operator", "viewer") must enrol at their next login.
SKM_REQUIRE_2FA_FOR = [r.strip() for r in env("SKM_REQUIRE_2FA_FOR").split(",") if r.strip()]
OTP_TOTP_ISSUER = env("SKM_2FA_ISSUER", "SKM")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("SKM_LOG_LEVEL", "WARNING")},
}
