"""Keep the summary table (:class:`TallyCell`) in step with the responses.

- :func:`apply` adds (or, with ``sign=-1``, removes) responses' contributions, in the caller's
  transaction: an acknowledged response and its counts are committed together or not at all.
- :func:`rebuild` recomputes the cells of some units and periods from the responses by
  GROUP BY (after a bulk load, or to repair).
- :func:`differences` compares the cells with a fresh GROUP BY; empty means in step.

Increments are single ``INSERT ... ON CONFLICT DO UPDATE SET count = count + excluded.count``
statements (PostgreSQL and SQLite alike), with the rows in key order so concurrent writers take
row locks in the same order and cannot deadlock.
"""

from __future__ import annotations

import secrets
from collections import Counter
from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import Count

from skm.engine.profile import age_group
from skm.surveys.models import SLOTS, Response

from .models import SummaryRevision, TallyCell

PROFILE_DIMENSIONS = {"gender": "gender", "age": "age", "education": "education",
                      "occupation": "occupation"}


def age_value(age: int | None) -> str:
    if age is None:
        return ""
    return age_group(age) or "?"


def cells_of(response: Response) -> list[tuple[str, str]]:
    """The (dimension, value) cells one response adds 1 to."""
    cells = [("n", "")]
    for slot in SLOTS:
        value = getattr(response, slot)
        if value is not None:
            cells.append((slot, str(value)))
    cells.append(("gender", response.gender or ""))
    cells.append(("age", age_value(response.age)))
    cells.append(("education", response.education or ""))
    cells.append(("occupation", response.occupation or ""))
    return cells


def _key(response: Response) -> tuple[int, int, int, int]:
    return (response.unit_id, response.period_id, response.layanan_id, response.questionnaire_id)


def apply(responses: Iterable[Response], sign: int = 1) -> None:
    """Add (sign=1) or remove (sign=-1) these responses' counts."""
    counts: Counter = Counter()
    for response in responses:
        key = _key(response)
        for dimension, value in cells_of(response):
            counts[(*key, dimension, value)] += sign
    _upsert(counts)


def apply_counts(counts: Counter) -> None:
    """Add counts already aggregated by a bulk load, in the caller's transaction.

    Keys are ``(unit_id, period_id, layanan_id, questionnaire_id, dimension, value)`` as
    :func:`cells_of` names them; one upsert per distinct cell instead of one per response.
    """
    _upsert(counts)


def _bump(pairs) -> None:
    """Give each (unit_id, period_id) a new revision token: its cells changed (same transaction).

    Regions' figures are remembered under these tokens (``SummaryRevision``).
    """
    pairs = sorted(set(pairs))
    if not pairs:
        return
    table = connection.ops.quote_name(SummaryRevision._meta.db_table)
    with connection.cursor() as cursor:
        for start in range(0, len(pairs), 500):
            batch = pairs[start : start + 500]
            params = [p for unit_id, period_id in batch
                      for p in (unit_id, period_id, secrets.randbits(62))]
            cursor.execute(
                f"INSERT INTO {table} (unit_id, period_id, token) VALUES "
                + ", ".join(["(%s, %s, %s)"] * len(batch))
                + " ON CONFLICT (unit_id, period_id) DO UPDATE SET token = excluded.token",
                params,
            )


def _upsert(counts: Counter) -> None:
    rows = sorted((key, n) for key, n in counts.items() if n)
    if not rows:
        return
    table = connection.ops.quote_name(TallyCell._meta.db_table)
    columns = "unit_id, period_id, layanan_id, questionnaire_id, dimension, value, count"
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        for start in range(0, len(rows), 500):
            batch = rows[start : start + 500]
            placeholders = ", ".join(["(%s, %s, %s, %s, %s, %s, %s)"] * len(batch))
            params = [p for key, n in batch for p in (*key, n)]
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES {placeholders} "
                "ON CONFLICT (unit_id, period_id, layanan_id, questionnaire_id, dimension, value) "
                f"DO UPDATE SET count = {table}.count + excluded.count",
                params,
            )
        _bump((key[0], key[1]) for key, _n in rows)


def fresh_counts(units, periods) -> Counter:
    """What the cells of these units and periods should hold, by GROUP BY on the responses."""
    # a rejected response (skm.surveys.review) is not counted
    responses = (Response.objects.within(units).filter(period__in=periods)
                 .exclude(review=Response.Review.REJECTED))
    keys = ("unit_id", "period_id", "layanan_id", "questionnaire_id")
    counts: Counter = Counter()
    for row in responses.values(*keys).annotate(n=Count("id")).order_by():
        counts[(*(row[k] for k in keys), "n", "")] += row["n"]
    for slot in SLOTS:
        rows = responses.filter(**{f"{slot}__isnull": False}).values(*keys, slot)
        for row in rows.annotate(n=Count("id")).order_by():
            counts[(*(row[k] for k in keys), slot, str(row[slot]))] += row["n"]
    for dimension, column in PROFILE_DIMENSIONS.items():
        for row in responses.values(*keys, column).annotate(n=Count("id")).order_by():
            raw = row[column]
            value = age_value(raw) if dimension == "age" else (raw or "")
            counts[(*(row[k] for k in keys), dimension, value)] += row["n"]
    return counts


def stored_counts(units, periods) -> Counter:
    counts: Counter = Counter()
    cells = TallyCell.objects.filter(unit__in=units, period__in=periods).exclude(count=0)
    for c in cells.values_list("unit_id", "period_id", "layanan_id", "questionnaire_id",
                               "dimension", "value", "count"):
        counts[c[:6]] += c[6]
    return counts


def differences(units, periods) -> dict:
    """Cells whose stored count differs from the responses: {key: (stored, fresh)}."""
    fresh, stored = fresh_counts(units, periods), stored_counts(units, periods)
    return {
        key: (stored.get(key, 0), fresh.get(key, 0))
        for key in set(fresh) | set(stored)
        if stored.get(key, 0) != fresh.get(key, 0)
    }


def rebuild(units, periods) -> None:
    """Recompute the cells of these units and periods from the responses."""
    with transaction.atomic():
        TallyCell.objects.filter(unit__in=units, period__in=periods).delete()
        _upsert(fresh_counts(units, periods))
        _bump((getattr(unit, "pk", unit), getattr(period, "pk", period))
              for unit in units for period in periods)
