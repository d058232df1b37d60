from django.contrib import admin

from .models import Evidence, FollowupChange, Realisasi, RtlItem


class RealisasiInline(admin.StackedInline):
    model = Realisasi
    extra = 0


@admin.register(RtlItem)
class RtlItemAdmin(admin.ModelAdmin):
    list_display = ("unit", "period", "program", "section", "horizon", "order")
    list_filter = ("period", "horizon")
    search_fields = ("program", "unit__name")
    inlines = [RealisasiInline]


class EvidenceInline(admin.TabularInline):
    """Shown, not edited: uploads go through the RTL page, which checks and cleans each file
    and records the history."""

    model = Evidence
    extra = 0
    fields = ("kind", "original_name", "caption", "size", "uploaded_by", "uploaded_at", "order")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Realisasi)
class RealisasiAdmin(admin.ModelAdmin):
    list_display = ("item", "status", "tanggal")
    list_filter = ("status",)
    inlines = [EvidenceInline]


@admin.register(FollowupChange)
class FollowupChangeAdmin(admin.ModelAdmin):
    """The history is append-only: readable here, never edited."""

    list_display = ("at", "user", "action", "item")
    list_filter = ("action",)
    readonly_fields = ("item", "user", "at", "action", "changes")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
