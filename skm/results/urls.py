"""The staff results pages. A contract others rely on: keep names and shapes stable.

- ``home``          /                            the units the user may read
- ``unit``          /u/<slug>/                   -> the latest period's results
- ``results``       /u/<slug>/<period>/          Tabel 1, Tabel II, sample, priorities, ...
- ``results-data``  /u/<slug>/<period>/data.json the numbers the charts draw
- ``subtree``       /u/<slug>/<period>/wilayah/  every readable unit below, recomputed
"""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("u/<slug:slug>/", views.unit, name="unit"),
    path("u/<slug:slug>/<str:period>/", views.results, name="results"),
    path("u/<slug:slug>/<str:period>/data.json", views.results_data, name="results-data"),
    path("u/<slug:slug>/<str:period>/wilayah/", views.subtree, name="subtree"),
]
