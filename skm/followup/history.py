"""The RTL history (``FollowupChange``) as every writer records it: the RTL page, the API and
the evidence uploads. A change is ``{field: [old, new]}`` over JSON values."""

from __future__ import annotations

from .models import FollowupChange

ITEM_FIELDS = ("unsur_codes", "program", "quarters", "months", "horizon", "section",
               "target_indicator", "order")
REALISASI_FIELDS = ("status", "tanggal", "deskripsi", "hambatan")


def as_json(value):
    """Dates as ISO text, a section by its code, anything else as it is."""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "code") and hasattr(value, "unit_id"):  # a Section
        return value.code
    return value


def snapshot(obj, fields) -> dict:
    """The fields' JSON values of ``obj`` (all None for an object not there yet)."""
    if obj is None:
        return dict.fromkeys(fields)
    return {f: as_json(getattr(obj, f)) for f in fields}


def diff(before: dict, after: dict) -> dict:
    return {f: [before[f], after[f]] for f in after if before[f] != after[f]}


def record(item, user, action, changes) -> None:
    FollowupChange.objects.create(item=item, user=user, action=action, changes=changes)
