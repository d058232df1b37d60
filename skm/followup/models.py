"""Rencana tindak lanjut (RTL) of a unit's survey period, its realisasi, and the history of
every change (SKM-RULES section 7; the seed's Tabel 2 and BAB III)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from skm.units.models import Period, Section, Unit
from skm.units.periods import parse_period


class RtlItem(models.Model):
    """One row of the RTL table: prioritas unsur, program/kegiatan, when, who."""

    class Horizon(models.TextChoices):
        PENDEK = "pendek", _("Jangka pendek (kurang dari 12 bulan)")
        MENENGAH = "menengah", _("Jangka menengah (12-24 bulan)")
        PANJANG = "panjang", _("Jangka panjang (lebih dari 24 bulan)")

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="rtl_items",
                             verbose_name=_("unit"))
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("periode"))
    #: the prioritas unsur, by code: ["U1", "U2"]
    unsur_codes = models.JSONField(_("prioritas unsur"), default=list)
    program = models.TextField(_("program/kegiatan"))
    #: the planned triwulan, by period code: ["2024-TW3", "2025-TW1"]
    quarters = models.JSONField(_("triwulan"), default=list)
    horizon = models.CharField(_("jangka waktu"), max_length=10, choices=Horizon.choices,
                               default=Horizon.PENDEK)
    section = models.ForeignKey(Section, on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("penanggung jawab"))
    target_indicator = models.TextField(_("indikator target"), blank=True)
    order = models.PositiveIntegerField(_("urutan"), default=0)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("rencana tindak lanjut")
        verbose_name_plural = _("rencana tindak lanjut")

    def __str__(self):
        return f"{self.unit} {self.period}: {self.program}"

    def clean(self):
        if self.section_id and self.unit_id and self.section.unit_id != self.unit_id:
            raise ValidationError(
                {"section": _("Penanggung jawab harus seksi dari unit ini.")}
            )

    @property
    def realisasi_or_none(self):
        try:
            return self.realisasi
        except ObjectDoesNotExist:
            return None

    @property
    def done(self) -> bool:
        found = self.realisasi_or_none
        return found is not None and found.status == Realisasi.Status.SUDAH

    def last_quarter_end(self):
        """The last day of the last planned triwulan, or None without quarters."""
        ends = [parse_period(code).end for code in self.quarters or ()]
        return max(ends) if ends else None


class Realisasi(models.Model):
    """What became of an RTL item (the seed's BAB III)."""

    class Status(models.TextChoices):
        SUDAH = "sudah", _("Sudah")
        BELUM = "belum", _("Belum")

    item = models.OneToOneField(RtlItem, on_delete=models.CASCADE, related_name="realisasi")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.BELUM)
    tanggal = models.DateField(_("tanggal realisasi"), null=True, blank=True)
    deskripsi = models.TextField(_("deskripsi"), blank=True)
    hambatan = models.TextField(_("tantangan/hambatan"), blank=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("realisasi")
        verbose_name_plural = _("realisasi")

    def __str__(self):
        return f"{self.item}: {self.status}"

    def clean(self):
        if self.status == self.Status.SUDAH and self.tanggal is None:
            raise ValidationError({"tanggal": _("Isi tanggal realisasi untuk status Sudah.")})


class FollowupChange(models.Model):
    """Append-only history: who changed what of an RTL item or its realisasi, and when."""

    class Action(models.TextChoices):
        CREATE = "create", _("dibuat")
        UPDATE = "update", _("diubah")
        REALISASI = "realisasi", _("realisasi dicatat")

    item = models.ForeignKey(RtlItem, on_delete=models.CASCADE, related_name="changes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                             blank=True, related_name="+")
    at = models.DateTimeField(default=timezone.now, db_index=True)
    action = models.CharField(max_length=20, choices=Action.choices)
    #: field -> [old, new], JSON values (dates as ISO text, the section by its code)
    changes = models.JSONField(default=dict)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("riwayat perubahan")
        verbose_name_plural = _("riwayat perubahan")

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.user} {self.action}"
