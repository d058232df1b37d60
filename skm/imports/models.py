"""What an import leaves behind: one batch per imported file, and the column mappings a unit
saved for files whose headers cannot be matched automatically."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportBatch(models.Model):
    """One imported file. The content hash refuses the same file twice for a unit."""

    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    period = models.ForeignKey("units.Period", on_delete=models.PROTECT, related_name="+")
    sha256 = models.CharField(max_length=64)
    file_name = models.CharField(_("nama berkas"), max_length=255)
    rows = models.PositiveIntegerField(_("baris diimpor"), default=0)
    #: the file format as recognised: csv, xlsx, google-forms, form-pengolahan
    source = models.CharField(_("format"), max_length=20)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["unit", "sha256"], name="import_batch_unit_sha256")
        ]
        verbose_name = _("impor")
        verbose_name_plural = _("impor")

    def __str__(self):
        return f"{self.file_name} ({self.rows})"


class ColumnMapping(models.Model):
    """A named, reusable mapping from a file's column headers to what they hold.

    ``mapping`` is ``{header text: target}``; a target is an unsur code (``U1``..), ``layanan``,
    ``jenis_kelamin``, ``usia``, ``pendidikan``, ``pekerjaan``, ``submitted_at``, ``saran``, or
    ``""`` to ignore the column. Headers are compared as :func:`skm.imports.matching.header_key`
    normalises them (case, punctuation, leading numbering).
    """

    unit = models.ForeignKey("units.Unit", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("nama"), max_length=100)
    mapping = models.JSONField(default=dict)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["unit", "name"], name="column_mapping_unit_name")
        ]
        verbose_name = _("pemetaan kolom")
        verbose_name_plural = _("pemetaan kolom")

    def __str__(self):
        return self.name


class ImportJob(models.Model):
    """One file uploaded in the web UI, from its upload to the end of its import.

    The upload is kept under ``VAR_DIR/imports/`` while the operator maps its columns and checks
    it (dry runs); it is deleted once the import itself has ended, whatever the outcome. The
    import runs in a background thread of the web process (:mod:`skm.imports.jobs`), which writes
    its progress here for the page to poll.
    """

    class Status(models.TextChoices):
        NEW = "new", _("diunggah")
        QUEUED = "queued", _("menunggu")
        RUNNING = "running", _("berjalan")
        DONE = "done", _("selesai")
        FAILED = "failed", _("gagal")

    unit = models.ForeignKey("units.Unit", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    file_path = models.CharField(max_length=500, blank=True)  # "" once the upload is deleted
    file_name = models.CharField(_("nama berkas"), max_length=255)
    #: period (code), layanan (slug or ""), mapping ({header: target}), skip_duplicates
    options = models.JSONField(default=dict)
    dry_run = models.BooleanField(default=False)  # the run queued or done last
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.NEW)
    rows_done = models.PositiveIntegerField(default=0)
    fraction = models.FloatField(default=0.0)
    #: the outcome: {"kind": "ok" | "invalid" | "refused" | "error", ...} (see jobs.py)
    result = models.JSONField(default=dict, blank=True)
    error_count = models.PositiveIntegerField(default=0)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)  # the last sign of life of a running job
    finished = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created"]
        verbose_name = _("tugas impor")
        verbose_name_plural = _("tugas impor")

    def __str__(self):
        return f"{self.file_name} ({self.status})"

    @property
    def active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)
