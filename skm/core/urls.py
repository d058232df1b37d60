"""Account pages of our own: two-factor login (mounted at ``akun/`` in skm/urls.py)."""

from django.urls import path

from . import views

urlpatterns = [
    path("2fa/", views.setup, name="twofactor_setup"),
    path("2fa/verifikasi/", views.verify, name="twofactor_verify"),
    path("2fa/kode-pemulihan/", views.recovery_codes, name="twofactor_recovery_codes"),
    path("2fa/nonaktifkan/", views.disable, name="twofactor_disable"),
]
