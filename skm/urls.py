from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

urlpatterns = [
    path("u/<slug:slug>/kelola/", include("skm.units.urls")),
    path("u/<slug:slug>/<str:period>/rtl/", include("skm.followup.urls")),
    path("u/<slug:slug>/<str:period>/laporan/", include("skm.reports.urls")),
    path("p/", include("skm.publication.urls")),
    path("u/<slug:slug>/impor/", include("skm.imports.urls")),
    path("u/<slug:slug>/kertas/", include("skm.surveys.paper_urls")),
    path("u/<slug:slug>/ekspor/", include("skm.imports.export_urls")),
    path("u/<slug:slug>/<str:period>/tinjauan/", include("skm.surveys.review_urls")),
    path("", include("skm.results.urls")),
    path("s/", include("skm.surveys.urls")),
    path("api/v1/", include("skm.api.urls")),
    path("akun/", include("skm.core.urls")),
    path("audit/", include("skm.audit.urls")),
    path("masuk/", auth_views.LoginView.as_view(), name="login"),
    path("keluar/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]
