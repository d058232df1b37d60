from importlib import import_module

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

#: the modules that register report kinds (see skm.reports.registry)
KIND_MODULES = ("tindak_lanjut", "laporan_skm", "rekap", "poster")


class ReportsConfig(AppConfig):
    name = "skm.reports"
    verbose_name = _("Laporan")

    def ready(self):
        for name in KIND_MODULES:
            import_module(f"{self.name}.{name}")
