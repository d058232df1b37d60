"""The RTL pages, included at ``/u/<slug>/<period>/rtl/`` (see skm/urls.py).

- ``rtl``             .../rtl/                      GET: proposed priorities, Tabel 2, realisasi
- ``rtl-add``         .../rtl/tambah/               POST: add an item
- ``rtl-edit``        .../rtl/<pk>/                 POST: change an item
- ``rtl-realisasi``   .../rtl/<pk>/realisasi/       POST: record its realisasi
- ``rtl-evidence-add``    .../rtl/<pk>/dokumentasi/           POST: upload photos and PDFs
- ``rtl-evidence-file``   .../rtl/dokumentasi/<id>/           GET: the file (read access)
- ``rtl-evidence-thumb``  .../rtl/dokumentasi/<id>/kecil/     GET: its thumbnail
- ``rtl-evidence-edit``   .../rtl/dokumentasi/<id>/ubah/      POST: caption and order
- ``rtl-evidence-delete`` .../rtl/dokumentasi/<id>/hapus/     POST: delete (kept in history)
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
    path("<int:pk>/dokumentasi/", views.evidence_add, name="rtl-evidence-add"),
    path("dokumentasi/<int:evidence>/", views.evidence_file, name="rtl-evidence-file"),
    path("dokumentasi/<int:evidence>/kecil/", views.evidence_thumb, name="rtl-evidence-thumb"),
    path("dokumentasi/<int:evidence>/ubah/", views.evidence_edit, name="rtl-evidence-edit"),
    path("dokumentasi/<int:evidence>/hapus/", views.evidence_delete,
         name="rtl-evidence-delete"),
    path("history/", views.history, name="rtl-history"),
    path("wilayah/", views.subtree, name="rtl-subtree"),
]
