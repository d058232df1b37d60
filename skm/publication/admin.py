"""Publication history in the admin, read only: publishing and withdrawing happen on the
results page, so that who and when are always recorded."""

from django.contrib import admin

from .models import Publication


@admin.register(Publication)
class PublicationAdmin(admin.ModelAdmin):
    list_display = ("unit", "period", "published_at", "published_by", "withdrawn_at",
                    "withdrawn_by")
    list_filter = ("period",)
    search_fields = ("unit__name", "unit__slug")

    def get_queryset(self, request):
        return Publication.objects.unscoped().select_related(
            "unit", "period", "published_by", "withdrawn_by")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
