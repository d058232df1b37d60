from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from skm.engine import EngineError, Questionnaire, Unsur
from skm.units.admin import UnscopedAdmin

from .models import MAX_UNSUR, QuestionnaireUnsur, QuestionnaireVersion, Response


class UnsurFormSet(forms.BaseInlineFormSet):
    """The unsur of a version, checked as a whole by the engine: unique codes, four labels,
    and under the custom scheme weights that sum to exactly 1."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        rows = [
            f.cleaned_data for f in self.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]
        if not rows:
            raise ValidationError("Kuesioner harus punya sedikitnya satu unsur.")
        if len(rows) > MAX_UNSUR:
            raise ValidationError(f"Paling banyak {MAX_UNSUR} unsur.")
        positions = sorted(r["position"] for r in rows)
        if positions != list(range(1, len(rows) + 1)):
            raise ValidationError("Urutan unsur harus 1, 2, 3, ... tanpa loncatan.")
        scheme = self.instance.weights
        try:
            Questionnaire(
                self.instance.version or "baru",
                tuple(
                    Unsur(r["code"], r["name"], r["question"],
                          (r["label1"], r["label2"], r["label3"], r["label4"]),
                          r.get("weight") or None if scheme == "custom" else None)
                    for r in sorted(rows, key=lambda r: r["position"])
                ),
                scheme,
            )
        except EngineError as exc:
            raise ValidationError(str(exc)) from None


class UnsurInline(admin.TabularInline):
    model = QuestionnaireUnsur
    formset = UnsurFormSet
    extra = 0


@admin.action(description="Salin sebagai versi baru (untuk diubah: ganti U4, tambah unsur, bobot)")
def copy_versions(modeladmin, request, queryset):
    for version in queryset:
        copy = version.copy_as_new()
        modeladmin.message_user(request, f"Versi baru dibuat: {copy.version}.")


@admin.register(QuestionnaireVersion)
class QuestionnaireVersionAdmin(admin.ModelAdmin):
    list_display = ["name", "version", "unit", "weights"]
    inlines = [UnsurInline]
    actions = [copy_versions]

    def has_change_permission(self, request, obj=None):
        # A version that has responses is frozen: a response always keeps what it answered.
        if obj is not None and Response.objects.unscoped().filter(questionnaire=obj).exists():
            return False
        return super().has_change_permission(request, obj)


@admin.register(Response)
class ResponseAdmin(UnscopedAdmin):
    list_display = ["id", "unit", "layanan", "period", "source", "submitted_at"]
    list_filter = ["source", "period"]
    raw_id_fields = ["unit", "layanan", "period", "questionnaire", "entered_by"]
