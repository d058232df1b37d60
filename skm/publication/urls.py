"""Public pages and the staff's publication actions, mounted at ``/p/``.

- ``publication-publish``   POST /p/kelola/<slug>/<period>/publish   (operator, admin)
- ``publication-withdraw``  POST /p/kelola/<slug>/<period>/withdraw
- ``public-unit``           /p/<slug>/                  latest published period; region list
- ``public-period``         /p/<slug>/<period>/         one published period
- ``public-poster``         /p/<slug>/<period>/poster.pdf
"""

from django.urls import path

from . import views

urlpatterns = [
    path("kelola/<slug:slug>/<str:period>/publish", views.publish, name="publication-publish"),
    path("kelola/<slug:slug>/<str:period>/withdraw", views.withdraw,
         name="publication-withdraw"),
    path("<slug:slug>/", views.public_unit, name="public-unit"),
    path("<slug:slug>/<str:period>/", views.public_period, name="public-period"),
    path("<slug:slug>/<str:period>/poster.pdf", views.public_poster, name="public-poster"),
]
