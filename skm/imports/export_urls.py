"""A unit's export, included at ``/u/<slug>/ekspor/`` (before the results' ``/u/<slug>/<period>/``,
which would otherwise take "ekspor" for a period)."""

from django.urls import path

from . import export_views

urlpatterns = [
    path("", export_views.export_page, name="export"),
    path("unduh/", export_views.export_download, name="export-download"),
]
