"""Forms of the RTL page: an item (add and edit) and its realisasi."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from skm.results.services import questionnaire_of

from .models import Realisasi, RtlItem
from .services import quarter_choices, quarter_key


class RtlItemForm(forms.ModelForm):
    unsur_codes = forms.MultipleChoiceField(
        label=_("Prioritas unsur"), widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Pilih sedikitnya satu unsur.")},
    )
    quarters = forms.MultipleChoiceField(
        label=_("Waktu (triwulan)"), widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Pilih sedikitnya satu triwulan.")},
    )
    order = forms.IntegerField(label=_("Urutan"), min_value=0, required=False)

    class Meta:
        model = RtlItem
        fields = ["unsur_codes", "program", "quarters", "horizon", "section",
                  "target_indicator", "order"]
        labels = {
            "program": _("Program/kegiatan"),
            "horizon": _("Jangka waktu"),
            "section": _("Penanggung jawab"),
            "target_indicator": _("Indikator target (boleh dikosongkan)"),
        }
        widgets = {
            "program": forms.Textarea(attrs={"rows": 2}),
            "target_indicator": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, unit, period, **kwargs):
        super().__init__(*args, **kwargs)
        self.unit, self.period = unit, period
        self.instance.unit, self.instance.period = unit, period
        self.fields["unsur_codes"].choices = [
            (u.code, f"{u.code} {u.name}") for u in questionnaire_of(unit).unsur
        ]
        self.fields["quarters"].choices = quarter_choices(period)
        self.fields["section"].queryset = unit.sections.all()
        self.fields["section"].empty_label = None
        self.fields["section"].error_messages["invalid_choice"] = _(
            "Pilih salah satu seksi unit ini."
        )

    def clean_program(self):
        program = self.cleaned_data["program"].strip()
        if not program:
            raise forms.ValidationError(_("Isi program/kegiatan."))
        return program

    def clean_quarters(self):
        return sorted(self.cleaned_data["quarters"], key=quarter_key)

    def clean_order(self):
        order = self.cleaned_data.get("order")
        if order is not None:
            return order
        if self.instance.pk is not None:
            return self.instance.order
        last = (RtlItem.objects.filter(unit=self.unit, period=self.period)
                .order_by("-order").values_list("order", flat=True).first())
        return 0 if last is None else last + 1

    def save(self, commit=True):
        # an omitted field keeps the model default in construct_instance: apply clean_order's
        self.instance.order = self.cleaned_data["order"]
        return super().save(commit)


class RealisasiForm(forms.ModelForm):
    class Meta:
        model = Realisasi
        fields = ["status", "tanggal", "deskripsi", "hambatan"]
        labels = {
            "status": _("Status"),
            "tanggal": _("Tanggal realisasi"),
            "deskripsi": _("Deskripsi"),
            "hambatan": _("Tantangan/hambatan"),
        }
        widgets = {
            "status": forms.RadioSelect,
            "tanggal": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "deskripsi": forms.Textarea(attrs={"rows": 2}),
            "hambatan": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None and not self.is_bound:
            self.initial.setdefault("hambatan", "Tidak ada")
