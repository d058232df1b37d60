from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "skm.core"

    def ready(self):
        from . import (
            checks,  # noqa: F401  (registers the deployment checks)
            configcache,
        )

        configcache.connect()
