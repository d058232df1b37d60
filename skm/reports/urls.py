from django.urls import path

from . import views

urlpatterns = [
    path("<slug:kind>.<str:fmt>", views.download, name="report-download"),
]
