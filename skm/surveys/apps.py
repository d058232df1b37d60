from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "skm.surveys"
    verbose_name = "Kuesioner dan respons"
