from django.contrib import admin

from .models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read only: the log is written by the application, never by hand."""

    list_display = ("at", "actor", "unit_name", "action", "model", "object_id", "object_repr")
    list_filter = ("action", "model")
    search_fields = ("actor", "unit_name", "object_repr", "object_id")
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
