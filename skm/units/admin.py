from django.contrib import admin

from .models import Layanan, Membership, Period, Population, Section, Unit


class UnscopedAdmin(admin.ModelAdmin):
    """Admins see every unit: the admin's queries are unscoped on purpose."""

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset.unscoped() if hasattr(queryset, "unscoped") else queryset


class LayananInline(admin.TabularInline):
    model = Layanan
    extra = 0
    prepopulated_fields = {"slug": ("name",)}


class SectionInline(admin.TabularInline):
    model = Section
    extra = 0


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "parent", "slug"]
    list_filter = ["kind"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ("name",)}
    inlines = [SectionInline, LayananInline]


@admin.register(Layanan)
class LayananAdmin(UnscopedAdmin):
    list_display = ["name", "unit", "active", "order"]
    list_filter = ["active"]
    search_fields = ["name", "unit__name"]


@admin.register(Period)
class PeriodAdmin(admin.ModelAdmin):
    list_display = ["code", "kind", "start", "end"]


@admin.register(Population)
class PopulationAdmin(admin.ModelAdmin):
    list_display = ["layanan", "period", "size"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "unit", "role"]
    list_filter = ["role"]
