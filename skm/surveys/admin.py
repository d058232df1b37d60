from django.contrib import admin

from skm.units.admin import UnscopedAdmin

from .models import QuestionnaireUnsur, QuestionnaireVersion, Response


class UnsurInline(admin.TabularInline):
    model = QuestionnaireUnsur
    extra = 0


@admin.register(QuestionnaireVersion)
class QuestionnaireVersionAdmin(admin.ModelAdmin):
    list_display = ["name", "version", "unit", "weights"]
    inlines = [UnsurInline]


@admin.register(Response)
class ResponseAdmin(UnscopedAdmin):
    list_display = ["id", "unit", "layanan", "period", "source", "submitted_at"]
    list_filter = ["source", "period"]
    raw_id_fields = ["unit", "layanan", "period", "questionnaire", "entered_by"]
