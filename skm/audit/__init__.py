"""The audit log: who changed what and when (docs/audit.md).

Signal receivers record every save and delete of the audited models; bulk operations
(``QuerySet.update``, ``bulk_create``) send no signals, so code that does them calls
:func:`record` once with a summary.
"""


def record(unit, action: str, label: str, summary, object_id="", user=None):
    """Record one summary entry for a bulk change, by the acting user of this request or
    command (or ``user`` when given). ``action`` is "create", "update" or "delete"; ``label``
    the model label ("surveys.Response"); ``summary`` a text, or a dict ``{field: [old, new]}``.

    Call it inside the transaction that makes the change, so both commit or neither does.
    """
    from .capture import record_summary

    return record_summary(unit, action, label, summary, object_id=object_id, user=user)
