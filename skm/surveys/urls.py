"""The public survey, under ``/s/`` (see docs/survey-form.md for the contract)."""

from django.urls import path, register_converter

from . import views


class QrFormatConverter:
    regex = "svg|png"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(QrFormatConverter, "qrfmt")

urlpatterns = [
    path("<slug:unit_slug>/", views.unit_page, name="survey-unit"),
    path("<slug:unit_slug>/qr.<qrfmt:fmt>", views.unit_qr, name="survey-unit-qr"),
    # before the layanan pattern: a layanan cannot be called "cetak"
    path("<slug:unit_slug>/cetak/", views.print_page, name="survey-print"),
    path("<slug:unit_slug>/<slug:layanan_slug>/", views.form_page, name="survey-form"),
    path("<slug:unit_slug>/<slug:layanan_slug>/terima-kasih/", views.thanks_page,
         name="survey-thanks"),
    path("<slug:unit_slug>/<slug:layanan_slug>/qr.<qrfmt:fmt>", views.form_qr,
         name="survey-form-qr"),
]
