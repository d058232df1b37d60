"""The import pages of a unit, mounted at ``/u/<slug>/impor/`` (see skm/imports/views.py)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.upload, name="import-upload"),
    path("<int:job>/", views.job_page, name="import-job"),
    path("<int:job>/status", views.job_status, name="import-status"),
    path("<int:job>/galat.csv", views.job_errors, name="import-errors"),
]
