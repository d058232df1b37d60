"""API tokens for staff and kiosks.

A key is ``secrets.token_urlsafe(32)``, shown once when the token is made and never stored:
the database keeps its SHA-256 hash (to find the token) and its first characters (to name it
in lists and on the command line). A lost key cannot be recovered; make a new token.

- ``kiosk``: tied to one unit, may only post responses to that unit.
- ``staff``: acts as one user, with exactly that user's access (skm.core.access).

Scopes narrow what a token may do, never widen the user's access: ``read`` (every GET),
``write`` (posting responses, RTL and realisasi), ``kiosk`` (posting responses to the token's
unit, and nothing else). A staff token holds ``read`` and/or ``write``; a kiosk token holds
``kiosk`` alone.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from skm.core import configcache

PREFIX_LENGTH = 8
#: last_used_at is written at most this often per token, so reads do not all become writes
LAST_USED_RESOLUTION = timedelta(minutes=1)

SCOPE_READ, SCOPE_WRITE, SCOPE_KIOSK = "read", "write", "kiosk"
SCOPES = (SCOPE_READ, SCOPE_WRITE, SCOPE_KIOSK)
STAFF_SCOPES = (SCOPE_READ, SCOPE_WRITE)


def default_scopes(kind: str) -> list[str]:
    """What a token of this kind could do before scopes existed: staff read+write, kiosk."""
    return [SCOPE_KIOSK] if kind == "kiosk" else [SCOPE_READ, SCOPE_WRITE]


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)


class ApiToken(models.Model):
    class Kind(models.TextChoices):
        STAFF = "staff", _("Staf (bertindak sebagai seorang pengguna)")
        KIOSK = "kiosk", _("Kios (mengirim jawaban ke satu unit)")

    name = models.CharField(_("nama"), max_length=200, help_text=_("Mis. \"Kios loket 1\"."))
    kind = models.CharField(_("jenis"), max_length=10, choices=Kind.choices)
    prefix = models.CharField(_("awalan"), max_length=PREFIX_LENGTH, unique=True, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    unit = models.ForeignKey(
        "units.Unit", on_delete=models.CASCADE, null=True, blank=True, related_name="api_tokens",
        verbose_name=_("unit"), help_text=_("Wajib untuk token kios: satu-satunya unit tujuannya."),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True,
        related_name="api_tokens", verbose_name=_("pengguna"),
        help_text=_("Wajib untuk token staf: token memakai hak akses pengguna ini."),
    )
    created = models.DateTimeField(_("dibuat"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("terakhir dipakai"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("dicabut"), null=True, blank=True)
    #: e.g. ["read", "write"]; empty when made without scopes: the kind's defaults
    scopes = models.JSONField(_("cakupan"), default=list, blank=True,
                              help_text=_("read, write (token staf) atau kiosk (token kios). "
                                          "Kosong: bawaan jenisnya."))

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created"]
        verbose_name = _("token API")
        verbose_name_plural = _("token API")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="kiosk", unit__isnull=False, user__isnull=True)
                | Q(kind="staff", user__isnull=False, unit__isnull=True),
                name="api_token_kind_owner",
                violation_error_message=_(
                    "Token kios harus punya unit (tanpa pengguna); token staf harus punya "
                    "pengguna (tanpa unit)."
                ),
            )
        ]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def clean(self):
        if self.kind == self.Kind.KIOSK and (not self.unit_id or self.user_id):
            raise ValidationError(_("Token kios harus punya unit dan tidak punya pengguna."))
        if self.kind == self.Kind.STAFF and (not self.user_id or self.unit_id):
            raise ValidationError(_("Token staf harus punya pengguna dan tidak punya unit."))
        if not self.scopes:
            self.scopes = default_scopes(self.kind)
        if not isinstance(self.scopes, list) or any(s not in SCOPES for s in self.scopes):
            raise ValidationError({"scopes": _("Cakupan dikenal: read, write, kiosk.")})
        allowed = [SCOPE_KIOSK] if self.kind == self.Kind.KIOSK else list(STAFF_SCOPES)
        if any(s not in allowed for s in self.scopes):
            raise ValidationError({"scopes": _(
                "Token kios hanya bercakupan kiosk; token staf bercakupan read dan/atau write."
            )})
        self.scopes = [s for s in SCOPES if s in self.scopes]  # canonical order, no repeats

    @property
    def effective_scopes(self) -> frozenset[str]:
        """The token's scopes; a token saved without any has its kind's defaults."""
        return frozenset(self.scopes or default_scopes(self.kind))

    def has_scope(self, scope: str) -> bool:
        return scope in self.effective_scopes

    def set_new_key(self) -> str:
        """Give this (unsaved) token a fresh key; returns the key, which is not kept."""
        key = secrets.token_urlsafe(32)
        while key.startswith("-"):  # a prefix "-..." would read as an option on the CLI
            key = secrets.token_urlsafe(32)
        self.prefix = key[:PREFIX_LENGTH]
        self.key_hash = hash_key(key)
        return key

    def save_with_new_key(self) -> str:
        """Save a new token with a fresh key and return the key (show it once)."""
        for _attempt in range(5):
            key = self.set_new_key()
            try:
                with transaction.atomic():
                    self.save()
                return key
            except IntegrityError:  # a prefix already taken (1 in 2**48): draw again
                if not ApiToken.objects.filter(prefix=self.prefix).exists():
                    raise
        raise IntegrityError("Tidak dapat membuat awalan token yang unik.")

    @classmethod
    def issue(cls, kind: str, name: str, unit=None, user=None,
              scopes=None) -> tuple[ApiToken, str]:
        """A new token and its key. The key exists only in the return value. ``scopes``:
        a list of SCOPES; None gives the kind's defaults."""
        token = cls(kind=kind, name=name, unit=unit, user=user, scopes=list(scopes or []))
        token.full_clean(exclude=["prefix", "key_hash"])
        key = token.save_with_new_key()
        return token, key

    @classmethod
    def from_key(cls, key: str) -> ApiToken | None:
        """The active token with this key, or None. Records when it was used."""
        if not key or len(key) > 200:
            return None
        digest = hash_key(key)
        # remembered per process until a token, user or unit changes (skm.core.configcache)
        token = configcache.remember(("api-token", digest), lambda: (
            cls.objects.active().select_related("unit", "user").filter(key_hash=digest).first()
        ))
        if token is None:
            return None
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
            cls.objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now
        return token

    def revoke(self):
        if self.revoked_at is None:
            self.revoked_at = timezone.now()
            self.save(update_fields=["revoked_at"])
