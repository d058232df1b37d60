"""Deployment checks of our own, run by ``skm check --deploy`` (docs/security.md).

Django's own deploy checks look at the settings (secure cookies, HSTS...); these name the
environment variable a pemda's IT staff has to set, since that is what they change.
"""

from django.conf import settings
from django.core.checks import Info, Tags, Warning, register


@register(Tags.security, deploy=True)
def secret_key_from_environment(app_configs, **kwargs):
    if getattr(settings, "SECRET_KEY_FROM_ENV", True):
        return []
    return [
        Warning(
            "SKM_SECRET_KEY is not set: the key was generated into var/secret_key.",
            hint="On a server, set SKM_SECRET_KEY in the environment (see docs/deploy.md).",
            id="skm.W001",
        )
    ]


@register(Tags.security, deploy=True)
def allowed_hosts_from_environment(app_configs, **kwargs):
    if getattr(settings, "ALLOWED_HOSTS_FROM_ENV", True):
        return []
    return [
        Warning(
            "SKM_ALLOWED_HOSTS is not set: skm answers only to 127.0.0.1 and localhost.",
            hint="Set SKM_ALLOWED_HOSTS to the site's host name, e.g. skm.jakarta.go.id "
                 "(see docs/security.md).",
            id="skm.W002",
        )
    ]


@register(Tags.security, deploy=True)
def served_over_https(app_configs, **kwargs):
    if getattr(settings, "SKM_HTTPS", True):
        return []
    return [
        Warning(
            "SKM_HTTPS=0: cookies are not marked Secure, no HSTS, no redirect to https://.",
            hint="Passwords and sessions cross the network in clear text. Use SKM_HTTPS=0 only "
                 "on a closed intranet or for tests (see docs/security.md).",
            id="skm.W003",
        )
    ]


@register(Tags.security, deploy=True)
def content_security_policy(app_configs, **kwargs):
    policy = getattr(settings, "SKM_CSP", "")
    unsafe_script = any(
        part.strip().startswith("script-src")
        and ("'unsafe-inline'" in part or "'unsafe-eval'" in part)
        for part in policy.split(";")
    )
    if policy and not unsafe_script:
        return []
    return [
        Warning(
            "The Content-Security-Policy is off or lets inline scripts run (SKM_CSP).",
            hint="Leave SKM_CSP unset to use skm's policy (see docs/security.md).",
            id="skm.W004",
        )
    ]


@register(Tags.caches, deploy=True)
def shared_cache(app_configs, **kwargs):
    """Without Redis the processes of one machine share a file cache: right for one server,
    wrong for several (form tokens, rate limits and the configuration generation,
    skm.core.configcache, would not be shared). Only a note: one server is a valid setup."""
    backend = settings.CACHES["default"]["BACKEND"]
    if backend.endswith("RedisCache"):
        return []
    return [
        Info(
            "SKM_REDIS_URL is not set: the app processes of this machine share a file cache.",
            hint="Fine for one app server. Several app servers must all set the same "
                 "SKM_REDIS_URL (see docs/deploy.md, section 4).",
            id="skm.I001",
        )
    ]
