"""The RTL pages, included at ``/u/<slug>/<period>/rtl/`` (see skm/urls.py).

- ``rtl``             .../rtl/                      GET: proposed priorities, Tabel 2, realisasi
- ``rtl-add``         .../rtl/tambah/               POST: add an item
- ``rtl-edit``        .../rtl/<pk>/                 POST: change an item
- ``rtl-realisasi``   .../rtl/<pk>/realisasi/       POST: record its realisasi
- ``rtl-history``     .../rtl/history/              GET: who changed what, when
- ``rtl-subtree``     .../rtl/wilayah/              GET: completion per unit below
"""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.rtl, name="rtl"),
    path("tambah/", views.item_add, name="rtl-add"),
    path("<int:pk>/", views.item_edit, name="rtl-edit"),
    path("<int:pk>/realisasi/", views.realisasi, name="rtl-realisasi"),
    path("history/", views.history, name="rtl-history"),
    path("wilayah/", views.subtree, name="rtl-subtree"),
]
