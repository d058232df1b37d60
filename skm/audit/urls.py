"""The audit log (docs/audit.md).

- ``audit``      /audit/       the entries the user may read, filtered and paged
- ``audit-csv``  /audit/csv/   the same filtered list as CSV
"""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.log, name="audit"),
    path("csv/", views.log_csv, name="audit-csv"),
]
