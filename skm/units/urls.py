"""The operator's "Kelola unit" page, included at ``/u/<slug>/kelola/`` (see skm/urls.py).

- ``manage``                /u/<slug>/kelola/                 GET: the page (``?periode=``)
- ``manage-layanan-add``    /u/<slug>/kelola/layanan/         POST: add a layanan
- ``manage-layanan-edit``   /u/<slug>/kelola/layanan/<pk>/    POST: rename, order, (de)activate
- ``manage-population``     /u/<slug>/kelola/populasi/        POST: every population of a period
- ``manage-section-add``    /u/<slug>/kelola/seksi/           POST: add a section
- ``manage-section-edit``   /u/<slug>/kelola/seksi/<pk>/      POST: rename a section
"""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.manage, name="manage"),
    path("layanan/", views.layanan_add, name="manage-layanan-add"),
    path("layanan/<int:pk>/", views.layanan_edit, name="manage-layanan-edit"),
    path("populasi/", views.population, name="manage-population"),
    path("seksi/", views.section_add, name="manage-section-add"),
    path("seksi/<int:pk>/", views.section_edit, name="manage-section-edit"),
]
