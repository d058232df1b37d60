from django.contrib import admin

from .models import FollowupChange, Realisasi, RtlItem


class RealisasiInline(admin.StackedInline):
    model = Realisasi
    extra = 0


@admin.register(RtlItem)
class RtlItemAdmin(admin.ModelAdmin):
    list_display = ("unit", "period", "program", "section", "horizon", "order")
    list_filter = ("period", "horizon")
    search_fields = ("program", "unit__name")
    inlines = [RealisasiInline]


@admin.register(Realisasi)
class RealisasiAdmin(admin.ModelAdmin):
    list_display = ("item", "status", "tanggal")
    list_filter = ("status",)


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
