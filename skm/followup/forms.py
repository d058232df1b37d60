"""Forms of the RTL page: an item (add and edit) and its realisasi."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from skm.results.services import questionnaire_of

from . import evidence as evidence_files
from .models import Evidence, Realisasi, RtlItem
from .services import month_choices, quarter_choices, quarter_key


class RtlItemForm(forms.ModelForm):
    unsur_codes = forms.MultipleChoiceField(
        label=_("Prioritas unsur"), widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Pilih sedikitnya satu unsur.")},
    )
    quarters = forms.MultipleChoiceField(
        label=_("Waktu (triwulan)"), widget=forms.CheckboxSelectMultiple, required=False,
    )
    months = forms.MultipleChoiceField(
        label=_("atau Waktu (bulan)"), widget=forms.CheckboxSelectMultiple, required=False,
    )
    order = forms.IntegerField(label=_("Urutan"), min_value=0, required=False)

    class Meta:
        model = RtlItem
        fields = ["unsur_codes", "program", "quarters", "months", "horizon", "section",
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
        self.fields["months"].choices = month_choices(period)
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

    def clean_months(self):
        return sorted(self.cleaned_data["months"])

    def clean(self):
        """Triwulan or months, at least one, never both kinds in one item."""
        data = super().clean()
        quarters, months = data.get("quarters"), data.get("months")
        if quarters is None or months is None:  # already refused at the field
            return data
        if not quarters and not months:
            self.add_error("quarters", _("Pilih sedikitnya satu triwulan atau satu bulan."))
        elif quarters and months:
            self.add_error("months", _("Pilih triwulan atau bulan, tidak keduanya: kosongkan "
                                       "salah satunya."))
        return data

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


class MultipleFileField(forms.FileField):
    """Several files from one ``<input type="file" multiple>``."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": evidence_files.ACCEPT}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        if not files and self.required:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class EvidenceUploadForm(forms.Form):
    """Photos and PDFs for one realisasi; checked with Pillow and pypdf (see evidence.py)."""

    files = MultipleFileField(
        label=_("Foto atau PDF"),
        error_messages={"required": _("Pilih sedikitnya satu berkas.")},
    )
    caption = forms.CharField(label=_("Keterangan (boleh dikosongkan)"), max_length=300,
                              required=False)

    def __init__(self, *args, keep_location: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.keep_location = keep_location
        self.fields["files"].help_text = _(
            "JPEG, PNG, WebP atau PDF; paling besar %(limit)s MB per berkas."
        ) % {"limit": evidence_files.max_bytes() // (1024 * 1024)}
        self.fields["files"].widget.attrs["aria-describedby"] = f"{self['files'].auto_id}-bantuan"

    def clean_files(self):
        files = self.cleaned_data["files"]
        try:
            self.prepared = evidence_files.prepare_all(files, self.keep_location)
        except forms.ValidationError as exc:
            raise forms.ValidationError(exc.messages) from None
        return files

    def clean_caption(self):
        return self.cleaned_data["caption"].strip()


class EvidenceEditForm(forms.ModelForm):
    order = forms.IntegerField(label=_("Urutan"), min_value=0)

    class Meta:
        model = Evidence
        fields = ["caption", "order"]
        labels = {"caption": _("Keterangan")}
