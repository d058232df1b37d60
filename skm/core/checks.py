"""Deployment checks of our own, run by ``skm check --deploy``."""

from django.conf import settings
from django.core.checks import Tags, Warning, register


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
