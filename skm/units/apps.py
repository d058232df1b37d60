from django.apps import AppConfig


class UnitsConfig(AppConfig):
    name = "skm.units"
    verbose_name = "Unit, layanan dan periode"
