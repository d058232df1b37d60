"""Rencana tindak lanjut (RTL) of a unit's survey period, its realisasi, and the history of
every change (SKM-RULES section 7; the seed's Tabel 2 and BAB III)."""

from __future__ import annotations

import contextlib
import uuid
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import models, transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver
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
    quarters = models.JSONField(_("triwulan"), default=list, blank=True)
    #: or the planned months, "YYYY-MM": ["2024-09", "2024-10"] (one kind per item)
    months = models.JSONField(_("bulan"), default=list, blank=True)
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
        if self.quarters and self.months:
            raise ValidationError(
                {"months": _("Pilih triwulan atau bulan, tidak keduanya: kosongkan salah "
                             "satunya.")})

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

    def last_planned_end(self):
        """The last day of the last planned triwulan or month, or None without either."""
        from .services import month_end

        ends = [parse_period(code).end for code in self.quarters or ()]
        ends += [month_end(code) for code in self.months or ()]
        return max(ends) if ends else None

    #: the name before months existed
    last_quarter_end = last_planned_end


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
        EVIDENCE_ADD = "evidence_add", _("dokumentasi ditambahkan")
        EVIDENCE_EDIT = "evidence_edit", _("dokumentasi diubah")
        EVIDENCE_DELETE = "evidence_delete", _("dokumentasi dihapus")

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


def _evidence_dir(instance) -> str:
    return f"evidence/{instance.realisasi.item.unit.slug}"


def evidence_upload_to(instance, filename: str) -> str:
    """``evidence/<unit-slug>/<uuid4>.<ext>``: never the uploader's name, which may say too
    much and may collide; the original name is kept in ``original_name``."""
    ext = PurePath(filename).suffix.lower().lstrip(".") or "bin"
    return f"{_evidence_dir(instance)}/{uuid.uuid4().hex}.{ext}"


def thumbnail_upload_to(instance, filename: str) -> str:
    return f"{_evidence_dir(instance)}/thumbs/{uuid.uuid4().hex}.jpg"


class Evidence(models.Model):
    """Dokumentasi kegiatan of a realisasi: a photo, or a PDF where a letter is the evidence.
    Files live under MEDIA_ROOT but are only served through a view that checks access."""

    class Kind(models.TextChoices):
        PHOTO = "photo", _("Foto")
        PDF = "pdf", _("PDF")

    realisasi = models.ForeignKey(Realisasi, on_delete=models.CASCADE, related_name="evidence")
    kind = models.CharField(_("jenis"), max_length=10, choices=Kind.choices)
    file = models.FileField(_("berkas"), upload_to=evidence_upload_to, max_length=255)
    #: JPEG, longest side 480 px; empty for a PDF
    thumbnail = models.FileField(_("gambar kecil"), upload_to=thumbnail_upload_to, blank=True,
                                 max_length=255)
    original_name = models.CharField(_("nama berkas asli"), max_length=255)
    caption = models.CharField(_("keterangan"), max_length=300, blank=True)
    size = models.PositiveIntegerField(_("ukuran (byte)"))
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)
    order = models.PositiveIntegerField(_("urutan"), default=0)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("dokumentasi kegiatan")
        verbose_name_plural = _("dokumentasi kegiatan")

    def __str__(self):
        return self.original_name

    @property
    def is_photo(self) -> bool:
        return self.kind == self.Kind.PHOTO


@receiver(post_delete, sender=Evidence)
def _remove_evidence_files(sender, instance, **kwargs):
    """However a row goes (the delete button, or with its realisasi, item or unit), its files
    go too, but only once the deletion has committed: a rollback keeps them."""
    names = [n for n in (instance.file.name, instance.thumbnail.name) if n]
    storage = instance.file.storage

    def remove():
        for name in names:
            with contextlib.suppress(OSError):
                storage.delete(name)

    transaction.on_commit(remove)
