"""Signal receivers that write the audit log, and the summary entry for bulk changes.

For each audited model: ``pre_save`` reads the stored row (only for an update) so that
``post_save`` can write the fields that changed, ``{field: [old, new]}``; a creation writes the
new values, a deletion the last ones. The entry is written in the same transaction as the
change: a rollback drops both.

Not recorded: a citizen's new response (creation of ``surveys.Response`` is not an audit
event; its deletion and every later change are), the automatic flagging of suspicious responses
(``skm.surveys.suspicion`` saves only ``flags`` and ``review``), logins (``last_login``) and
timestamps that move on every save. Secrets (password hashes, token hashes) are never stored:
their field holds the text "(diubah)".
"""

from __future__ import annotations

import datetime
import decimal
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.db.models import FileField, ForeignKey
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from django.utils import timezone

from . import context

SECRET_TEXT = "(diubah)"
#: fields that change on (almost) every save and say nothing about who changed what
NOISY = frozenset({"updated", "created", "last_login", "date_joined", "last_used_at", "path"})


def _unit_of_unit(unit):
    return unit


def _via(*names: str) -> Callable:
    """A resolver following ``names`` from the object to its unit, e.g. ``_via("item", "unit")``;
    None where a link is empty."""

    def resolve(obj):
        for name in names:
            obj = getattr(obj, name, None)
            if obj is None:
                return None
        return obj

    resolve.names = names
    return resolve


@dataclass(frozen=True)
class Spec:
    unit: Callable  # obj -> Unit or None
    audit_create: bool = True
    secret: frozenset = frozenset()
    skip: frozenset = frozenset()
    #: update_fields sets that are automatic, never a person's change
    automatic: tuple = ()
    repr: Callable | None = None
    #: field name -> display name (e.g. Response slots a1.. -> unsur codes)
    names: Callable | None = None
    #: what ``names`` depends on, to reuse it across the rows of one mass deletion
    names_key: Callable | None = None


def _response_names(response) -> dict:
    try:
        return response.questionnaire.slot_codes()
    except Exception:  # the questionnaire may already be gone in a cascade
        return {}


SPECS: dict[str, Spec] = {
    "units.Unit": Spec(_unit_of_unit),
    "units.Section": Spec(_via("unit")),
    "units.Layanan": Spec(_via("unit")),
    "units.Population": Spec(
        _via("layanan", "unit"),
        repr=lambda p: f"{p.layanan.name} {p.period.code}: {p.size}"),
    "units.Membership": Spec(_via("unit")),
    "auth.User": Spec(lambda user: None, secret=frozenset({"password"}),
                      repr=lambda u: u.get_username()),
    "surveys.QuestionnaireVersion": Spec(_via("unit")),
    "surveys.QuestionnaireUnsur": Spec(
        _via("questionnaire", "unit"),
        repr=lambda u: f"{u.questionnaire.version} {u.code} {u.name}"),
    "surveys.Response": Spec(
        _via("unit"), audit_create=False,
        automatic=(frozenset({"flags", "review"}),),
        repr=lambda r: f"Respons #{r.pk}", names=_response_names,
        names_key=lambda r: r.questionnaire_id),
    "api.ApiToken": Spec(_via("unit"), secret=frozenset({"key_hash"})),
    "followup.RtlItem": Spec(_via("unit")),
    "followup.Realisasi": Spec(_via("item", "unit")),
    "followup.Evidence": Spec(_via("realisasi", "item", "unit"),
                              skip=frozenset({"thumbnail", "width", "height"})),
    "publication.Publication": Spec(_via("unit")),
    "imports.ImportBatch": Spec(_via("unit")),
}


# -- values ---------------------------------------------------------------------------------


def _json(value):
    """A stored value as JSON: dates as ISO text (local time), decimals and ids as text."""
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.isoformat()
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, (decimal.Decimal, uuid.UUID)):
        return str(value)
    if isinstance(value, (bytes, memoryview)):
        return "(biner)"
    if hasattr(value, "name") and hasattr(value, "storage"):  # a FieldFile
        return value.name or None
    return value


def _empty(value) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _tracked(model, spec: Spec):
    """The concrete fields worth recording (the primary key and noisy fields excluded)."""
    return [
        f for f in model._meta.concrete_fields
        if not f.primary_key and f.name not in NOISY and f.name not in spec.skip
    ]


def _fk_text(f: ForeignKey, pk, using):
    if pk is None:
        return None
    obj = f.related_model._base_manager.using(using).filter(pk=pk).first()
    return f"{obj} (#{pk})" if obj is not None else f"#{pk}"


def _value(instance, f):
    value = getattr(instance, f.attname)
    if isinstance(f, FileField):
        return value.name if value else None
    return value


def _changes(spec: Spec, pairs, names: dict, using, instance=None) -> dict:
    """``{name: [old, new]}`` for the pairs that differ; ``pairs``: (field, old, new).

    A link is written as its object's text and id. With ``instance`` (a deletion, possibly of
    thousands of rows in a cascade) only links already loaded are looked at: "#id" otherwise.
    """
    out = {}
    for f, old, new in pairs:
        old_json, new_json = _json(old), _json(new)
        if old_json == new_json or (_empty(old_json) and _empty(new_json)):
            continue
        name = names.get(f.name, f.name)
        if f.name in spec.secret:
            out[name] = SECRET_TEXT
        elif isinstance(f, ForeignKey) and instance is not None:
            cached = f.get_cached_value(instance, None)
            out[name] = [f"{cached} (#{old})" if cached is not None else f"#{old}", None]
        elif isinstance(f, ForeignKey):
            out[name] = [_fk_text(f, old, using), _fk_text(f, new, using)]
        else:
            out[name] = [old_json, new_json]
    return out


# -- receivers ------------------------------------------------------------------------------


def _spec(sender) -> Spec | None:
    return SPECS.get(sender._meta.label)


def _before_save(sender, instance, raw=False, using=None, update_fields=None, **kwargs):
    instance.__dict__.pop("_audit_old", None)
    spec = _spec(sender)
    if spec is None or raw or instance._state.adding or instance.pk is None:
        return
    fields = _tracked(sender, spec)
    if update_fields is not None:
        wanted = frozenset(update_fields)
        if wanted in spec.automatic:
            return
        fields = [f for f in fields if f.name in wanted or f.attname in wanted]
    if not fields:
        return
    old = (sender._base_manager.using(using).filter(pk=instance.pk)
           .values(*(f.attname for f in fields)).first())
    if old is not None:
        instance._audit_old = (fields, old)


def _after_save(sender, instance, created, raw=False, using=None, **kwargs):
    spec = _spec(sender)
    if spec is None or raw:
        return
    if created:
        if not spec.audit_create:
            return
        names = spec.names(instance) if spec.names else {}
        pairs = [(f, None, _value(instance, f)) for f in _tracked(sender, spec)]
        changes = _changes(spec, pairs, names, using)
        _write(spec, instance, "create", changes, using)
        return
    saved = instance.__dict__.pop("_audit_old", None)
    if saved is None:
        return
    fields, old = saved
    names = spec.names(instance) if spec.names else {}
    pairs = [(f, old[f.attname], _value(instance, f)) for f in fields]
    changes = _changes(spec, pairs, names, using)
    if changes:
        _write(spec, instance, "update", changes, using)


def _memo(origin) -> dict:
    """A cache shared by the rows of one deletion (one ``delete()`` call and its cascade), so
    deleting thousands of responses does not look up their unit thousands of times."""
    if origin is None:
        return {}
    try:
        memo = origin.__dict__.setdefault("_audit_memo", {})
    except AttributeError:
        memo = {}
    return memo


def _before_delete(sender, instance, using=None, origin=None, **kwargs):
    """Everything the entry needs is read now: in a cascade the parents go next."""
    spec = _spec(sender)
    if spec is None:
        return
    memo = _memo(origin)
    names = {}
    if spec.names:
        key = ("names", sender, spec.names_key(instance)) if spec.names_key else None
        names = memo[key] if key in memo else spec.names(instance)
        if key is not None:
            memo[key] = names
    pairs = [(f, _value(instance, f), None) for f in _tracked(sender, spec)]
    changes = _changes(spec, pairs, names, using, instance)
    place = None
    if getattr(spec.unit, "names", None) == ("unit",):
        key = ("unit", instance.unit_id)
        place = memo.get(key)
    if place is None:
        place = _place(spec, instance)
        if getattr(spec.unit, "names", None) == ("unit",):
            memo[("unit", instance.unit_id)] = place
    instance._audit_deleted = (place, _repr(spec, instance), changes)


def _after_delete(sender, instance, using=None, **kwargs):
    saved = instance.__dict__.pop("_audit_deleted", None)
    spec = _spec(sender)
    if spec is None or saved is None:
        return
    place, text, changes = saved
    _insert(place, "delete", sender._meta.label, str(instance.pk), text, changes, using)


# -- writing --------------------------------------------------------------------------------


def _place(spec: Spec, instance) -> tuple:
    """``(unit id, unit path, unit name)`` the entry belongs to, or Nones."""
    from skm.units.models import Unit

    try:
        unit = spec.unit(instance)
    except Exception:  # a link already deleted in a cascade
        unit = None
    if unit is None:
        return None, "", ""
    if isinstance(unit, Unit) and unit is instance:
        # a new or moved unit gets its path only after post_save: compute it here
        parent_path = unit.parent.path if unit.parent_id else "/"
        return unit.pk, f"{parent_path}{unit.pk}/", unit.name
    return unit.pk, unit.path, unit.name


def _repr(spec: Spec, instance) -> str:
    try:
        text = spec.repr(instance) if spec.repr else str(instance)
    except Exception:
        text = f"#{instance.pk}"
    return text[:200]


def _write(spec, instance, action, changes, using):
    _insert(_place(spec, instance), action, instance._meta.label, str(instance.pk),
            _repr(spec, instance), changes, using)


def _insert(place, action, label, object_id, text, changes, using, user=None):
    from .models import AuditEntry

    acting_user, actor = context.current()
    if user is not None:
        acting_user, actor = user, user.get_username()
    unit_id, unit_path, unit_name = place
    entry = AuditEntry(
        user_id=getattr(acting_user, "pk", None), actor=actor[:200], unit_id=unit_id,
        unit_path=unit_path, unit_name=unit_name[:200], action=action, model=label,
        object_id=object_id[:64], object_repr=text, changes=changes,
    )
    entry.save(using=using or "default")
    return entry


def record_summary(unit, action: str, label: str, summary, object_id="", user=None):
    """One entry for a bulk change (see :func:`skm.audit.record`)."""
    from .models import AuditEntry

    if action not in AuditEntry.Action.values:
        raise ValueError(f"action: one of {', '.join(AuditEntry.Action.values)}, not {action!r}")
    place = (unit.pk, unit.path, unit.name) if unit is not None else (None, "", "")
    changes = summary if isinstance(summary, dict) else {}
    text = str(summary) if not isinstance(summary, dict) else label
    return _insert(place, action, label, str(object_id), text[:200], changes, None, user=user)


def connect() -> None:
    """Connect the receivers for every audited model (dispatch_uid: once only)."""
    for label in SPECS:
        model = apps.get_model(label)
        uid = f"skm-audit-{label}"
        pre_save.connect(_before_save, sender=model, dispatch_uid=uid)
        post_save.connect(_after_save, sender=model, dispatch_uid=uid)
        pre_delete.connect(_before_delete, sender=model, dispatch_uid=uid)
        post_delete.connect(_after_delete, sender=model, dispatch_uid=uid)


def audited_models() -> list[tuple[str, str]]:
    """``(label, verbose name)`` of every audited model, for the filter."""
    out = []
    for label in SPECS:
        model = apps.get_model(label)
        out.append((label, str(model._meta.verbose_name)))
    return sorted(out, key=lambda pair: pair[1].lower())
