"""The audit log: one row per change of an audited object, never changed afterwards."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditImmutable(RuntimeError):
    """An attempt to change or delete an audit entry through the ORM."""


class AuditEntryQuerySet(models.QuerySet):
    """Reads and inserts only: updating or deleting entries in bulk raises."""

    def update(self, **kwargs):
        raise AuditImmutable("Log audit tidak dapat diubah.")

    def delete(self):
        raise AuditImmutable("Log audit tidak dapat dihapus.")

    def bulk_update(self, objs, fields, batch_size=None):
        raise AuditImmutable("Log audit tidak dapat diubah.")

    def update_or_create(self, *args, **kwargs):
        raise AuditImmutable("Log audit tidak dapat diubah.")


class AuditEntry(models.Model):
    """Who (``user``, ``actor``) did what (``action`` on ``model`` ``object_id``) and when.

    The user and unit links carry no database constraint and are never cleared: deleting a
    user or a unit must not rewrite the log, and the entry keeps their names (``actor``,
    ``unit_name``) and the unit's place in the hierarchy (``unit_path``) for scoping.
    """

    class Action(models.TextChoices):
        CREATE = "create", _("dibuat")
        UPDATE = "update", _("diubah")
        DELETE = "delete", _("dihapus")

    at = models.DateTimeField(_("waktu"), default=timezone.now)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, db_constraint=False, null=True,
        blank=True, related_name="+", verbose_name=_("pengguna"),
    )
    #: "budi", "admin:budi" (the admin site), "api-token:<name>", "command:<name>", "sistem"
    actor = models.CharField(_("pelaku"), max_length=200)
    unit = models.ForeignKey(
        "units.Unit", on_delete=models.DO_NOTHING, db_constraint=False, null=True, blank=True,
        related_name="+", verbose_name=_("unit"),
    )
    unit_path = models.CharField(max_length=255, blank=True, default="")
    unit_name = models.CharField(_("nama unit"), max_length=200, blank=True, default="")
    action = models.CharField(_("aksi"), max_length=10, choices=Action.choices)
    #: the model label, e.g. "units.Layanan"
    model = models.CharField(_("model"), max_length=100)
    object_id = models.CharField(_("id objek"), max_length=64, blank=True, default="")
    object_repr = models.CharField(_("objek"), max_length=200, blank=True, default="")
    #: {field: [old, new]} as JSON values; a secret field holds the bare text "(diubah)"
    changes = models.JSONField(_("perubahan"), default=dict, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("entri log audit")
        verbose_name_plural = _("log audit")
        indexes = [
            models.Index(fields=["unit", "-at"], name="audit_unit_at"),
            models.Index(fields=["unit_path", "-at"], name="audit_path_at"),
            models.Index(fields=["-at"], name="audit_at"),
            models.Index(fields=["model", "object_id"], name="audit_object"),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.action} {self.model} {self.object_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AuditImmutable("Log audit tidak dapat diubah.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditImmutable("Log audit tidak dapat dihapus.")
