"""Publication of a unit's survey period (PermenPANRB 14/2017 p.22-23: results, plan and
follow-up must be public).

Publishing is explicit and per period: until a unit publishes a period, nothing of it reaches
the public page. Withdrawing keeps the row (who published, who withdrew, when), so the history
of what was public stays auditable; publishing again adds a new row.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from skm.core.scopes import UnitScopedManager
from skm.units.models import Period, Unit


class Publication(models.Model):
    """One stretch of time during which a unit's period was public."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="publications",
                             verbose_name=_("unit"))
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("periode"))
    published_at = models.DateTimeField(_("dipublikasikan pada"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("dipublikasikan oleh"),
    )
    withdrawn_at = models.DateTimeField(_("ditarik pada"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("ditarik oleh"),
    )

    objects = UnitScopedManager()

    class Meta:
        ordering = ["-published_at", "-pk"]
        verbose_name = _("publikasi")
        verbose_name_plural = _("publikasi")
        constraints = [
            # at most one live publication per unit and period
            models.UniqueConstraint(
                fields=["unit", "period"], condition=Q(withdrawn_at__isnull=True),
                name="publication_one_live_per_unit_period",
            ),
        ]

    def __str__(self):
        return f"{self.unit} {self.period}"

    @property
    def live(self) -> bool:
        return self.withdrawn_at is None
