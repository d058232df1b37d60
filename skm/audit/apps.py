from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "skm.audit"
    verbose_name = _("Log audit")

    def ready(self):
        from . import capture, context

        capture.connect()
        context.name_management_commands()
