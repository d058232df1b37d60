"""Paper entry, included at ``/u/<slug>/kertas/`` (see skm/urls.py and docs/paper-entry.md).

- ``paper-entry``             /u/<slug>/kertas/                   GET grid, POST one response
- ``paper-correct``           /u/<slug>/kertas/<pk>/ubah/         own entry of today: correct
- ``paper-response-history``  /u/<slug>/kertas/<pk>/riwayat/      corrections of one response
- ``paper-history``           /u/<slug>/kertas/riwayat/           corrections of a day (?tanggal=)
"""

from django.urls import path

from . import paper

urlpatterns = [
    path("", paper.entry, name="paper-entry"),
    path("riwayat/", paper.history, name="paper-history"),
    path("<int:pk>/ubah/", paper.correct, name="paper-correct"),
    path("<int:pk>/riwayat/", paper.history, name="paper-response-history"),
]
