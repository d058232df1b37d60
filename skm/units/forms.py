"""Forms of the operator's "Kelola unit" page: layanan, population estimates, sections."""

from __future__ import annotations

from django import forms
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from skm.engine.sample import krejcie_morgan

from .models import Layanan, Section, Unit

#: slugs the public form routes use under ``/s/<unit>/``: a layanan cannot have them
RESERVED_SLUGS = ("cetak",)


class LayananAddForm(forms.Form):
    name = forms.CharField(label=_("Nama layanan"), max_length=200)
    slug = forms.SlugField(
        label=_("Slug (alamat)"), max_length=80, required=False,
        help_text=_("Kosongkan: dibuat dari nama."),
    )

    def __init__(self, *args, unit: Unit, **kwargs):
        super().__init__(*args, **kwargs)
        self.unit = unit

    def clean(self):
        data = super().clean()
        name = data.get("name")
        if name is None or "slug" in self._errors:
            return data
        given = bool(data.get("slug"))
        slug = data.get("slug") or slugify(name)[:80]
        field = "slug" if given else "name"
        if not slug:
            self.add_error(field, _("Slug tidak bisa dibuat dari nama ini; isi slug sendiri."))
        elif slug in RESERVED_SLUGS:
            self.add_error(field, _("Slug “%(slug)s” dipakai oleh halaman survei; pilih "
                                    "slug lain.") % {"slug": slug})
        elif self.unit.layanan.filter(slug=slug).exists():
            self.add_error(field, _("Unit ini sudah punya layanan dengan slug “%(slug)s”.")
                           % {"slug": slug})
        data["slug"] = slug
        return data

    def save(self) -> Layanan:
        last = self.unit.layanan.order_by("-order").values_list("order", flat=True).first()
        return self.unit.layanan.create(
            name=self.cleaned_data["name"], slug=self.cleaned_data["slug"],
            order=0 if last is None else last + 1,
        )


class LayananEditForm(forms.Form):
    name = forms.CharField(label=_("Nama layanan"), max_length=200)
    order = forms.IntegerField(label=_("Urutan tampil"), min_value=0)
    active = forms.BooleanField(label=_("Aktif"), required=False)

    def save(self, layanan: Layanan) -> Layanan:
        layanan.name = self.cleaned_data["name"]
        layanan.order = self.cleaned_data["order"]
        layanan.active = self.cleaned_data["active"]
        layanan.save(update_fields=["name", "order", "active"])
        return layanan


class PopulationForm(forms.Form):
    """One population field per active layanan (``populasi-<id>``); blank clears it."""

    def __init__(self, *args, layanan: list[Layanan], initial_sizes: dict[int, int], **kwargs):
        super().__init__(*args, **kwargs)
        self.layanan = layanan
        for lay in layanan:
            self.fields[self.field_name(lay)] = forms.IntegerField(
                label=lay.name, min_value=1, max_value=2_000_000_000, required=False,
                initial=initial_sizes.get(lay.id),
                error_messages={
                    "invalid": _("Isi dengan bilangan bulat."),
                    "min_value": _("Populasi sedikitnya 1 (kosongkan bila belum diketahui)."),
                },
            )

    @staticmethod
    def field_name(layanan: Layanan) -> str:
        return f"populasi-{layanan.id}"

    def rows(self, saved: dict[int, int]) -> list[dict]:
        rows = []
        for lay in self.layanan:
            size = saved.get(lay.id)
            rows.append({
                "layanan": lay, "field": self[self.field_name(lay)], "saved": size,
                "minimum": krejcie_morgan(size) if size else None,
            })
        return rows

    def sizes(self) -> dict[Layanan, int | None]:
        return {lay: self.cleaned_data.get(self.field_name(lay)) for lay in self.layanan}


class SectionAddForm(forms.ModelForm):
    class Meta:
        model = Section
        fields = ["code", "name"]
        labels = {"code": _("Singkatan"), "name": _("Nama seksi")}

    def __init__(self, *args, unit: Unit, **kwargs):
        super().__init__(*args, **kwargs)
        self.unit = unit

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        if self.unit.sections.filter(code=code).exists():
            raise forms.ValidationError(
                _("Unit ini sudah punya seksi “%(code)s”.") % {"code": code}
            )
        return code

    def save(self, commit=True):
        self.instance.unit = self.unit
        return super().save(commit)


class SectionEditForm(forms.Form):
    name = forms.CharField(label=_("Nama seksi"), max_length=200)


class UnitSettingsForm(forms.ModelForm):
    """The unit's own choices; today only whether photo locations are kept."""

    class Meta:
        model = Unit
        fields = ["keep_photo_location"]
        labels = {"keep_photo_location": _("Simpan lokasi (GPS) foto dokumentasi")}
        help_texts = {"keep_photo_location": _(
            "Biasanya tidak dicentang: lokasi dan data EXIF lainnya dihapus dari setiap foto "
            "yang diunggah. Centang hanya bila lokasi kegiatan memang perlu dibuktikan; data "
            "EXIF lainnya tetap dihapus. Berlaku untuk foto yang diunggah sesudahnya.")}
