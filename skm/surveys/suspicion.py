"""Suspicious responses: flagged when they arrive, never dropped, reviewed by an operator.

Reasons (``Response.Flag``):

- ``burst``: more than :data:`BURST_COUNT` responses from one origin (an IP address, or a
  registered kiosk device) within :data:`BURST_SECONDS`. Every response of the burst is flagged,
  the earlier ones too.
- ``duplicate``: the same answers and the same profile (and saran) as another response from the
  same origin less than :data:`DUPLICATE_SECONDS` earlier. Reading and answering nine questions
  takes a person longer than that; both responses are flagged.
- ``straight``: every answer the same. "All 4" is what a satisfied citizen often gives, so this
  is information only: it does not ask for review on its own.

``burst`` and ``duplicate`` set the review status to ``pending``. Counting: flagged responses
are counted (pending and accepted alike) until an operator rejects them; a rejected response
leaves the figures (the summary table is updated in the same transaction, see
:mod:`skm.surveys.review`). The recent history per origin is kept in the cache, not in the
database: no address is ever stored with a response.
"""

from __future__ import annotations

import hashlib

from django.db.models import Count, Sum

from skm.formatting import percent_id

from . import protection
from .models import SLOTS, Response

BURST_COUNT = 10
BURST_SECONDS = 60
DUPLICATE_SECONDS = 30
#: a straight line needs at least this many answers (one or two answers are no pattern)
STRAIGHT_MIN_ANSWERS = 3
#: flags that ask an operator to decide; the others only inform
REVIEW_FLAGS = {Response.Flag.BURST, Response.Flag.DUPLICATE}
FLAG_ORDER = [f.value for f in Response.Flag]
_HISTORY_SECONDS = max(BURST_SECONDS, DUPLICATE_SECONDS)
_HISTORY_MAX = BURST_COUNT * 5


def _answers(response: Response) -> list[int]:
    return [getattr(response, slot) for slot in SLOTS if getattr(response, slot) is not None]


def is_straight(response: Response) -> bool:
    answers = _answers(response)
    return len(answers) >= STRAIGHT_MIN_ANSWERS and len(set(answers)) == 1


def fingerprint(response: Response) -> str:
    """The content of a response (layanan, answers, profile, saran) as a short digest."""
    parts = [str(response.layanan_id)]
    parts += [str(getattr(response, slot) or "") for slot in SLOTS]
    parts += [response.gender or "", str(response.age or ""), response.education or "",
              response.occupation or "", " ".join((response.saran or "").lower().split())]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


def _history_key(origin: str) -> str:
    return "skm:recent:" + hashlib.sha256(origin.encode()).hexdigest()[:24]


def join_flags(flags) -> str:
    return ",".join(f for f in FLAG_ORDER if f in set(flags))


def _add_flags(pks: set[int], reason: str) -> None:
    """Add ``reason`` to earlier responses; a pending review is asked for if none was made."""
    for earlier in Response.objects.unscoped().filter(pk__in=pks):
        flags = set(earlier.flag_list())
        if reason in flags:
            continue
        flags.add(reason)
        earlier.flags = join_flags(flags)
        if not earlier.review and reason in REVIEW_FLAGS:
            earlier.review = Response.Review.PENDING
        earlier.save(update_fields=["flags", "review"])


def check(response: Response, origin: str | None) -> list[str]:
    """Flag ``response`` (just stored, in the caller's transaction) and the responses of the
    same origin it forms a burst or a duplicate with. Returns its flags."""
    flags = set()
    if is_straight(response):
        flags.add(Response.Flag.STRAIGHT.value)
    if origin:
        now = protection.clock()
        key = _history_key(origin)
        history = [e for e in (protection.shared.get(key) or [])
                   if 0 <= now - e[0] <= _HISTORY_SECONDS]
        own = fingerprint(response)
        twins = {pk for at, fp, pk in history if fp == own and now - at < DUPLICATE_SECONDS}
        if twins:
            flags.add(Response.Flag.DUPLICATE.value)
            _add_flags(twins, Response.Flag.DUPLICATE.value)
        recent = {pk for at, _fp, pk in history if now - at <= BURST_SECONDS}
        if len(recent) + 1 > BURST_COUNT:
            flags.add(Response.Flag.BURST.value)
            _add_flags(recent, Response.Flag.BURST.value)
        history.append((now, own, response.pk))
        protection.shared.set(key, history[-_HISTORY_MAX:], _HISTORY_SECONDS + 5)
    if flags:
        response.flags = join_flags(flags)
        if flags & {f.value for f in REVIEW_FLAGS}:
            response.review = Response.Review.PENDING
        response.save(update_fields=["flags", "review"])
    return response.flag_list()


def flag_summary(unit, period) -> dict:
    """How many responses of ``unit`` in ``period`` (and the periods within it) are flagged,
    by reason and by review status, and how many are counted.

    Reads only the flagged or reviewed responses (a partial index holds them) and the unit's
    respondent count from the summary table, so the cost does not grow with the responses.

    ``share`` and ``rejected_share`` are texts in Indonesian format ("2,5%").
    """
    periods = period.contained_periods()
    rows = (Response.objects.within([unit])
            .filter(period__in=periods)
            .exclude(flags="", review="")
            .values_list("flags", "review")
            .annotate(n=Count("id"))
            .order_by())
    result = {"total": 0, "flagged": 0, "counted": 0, "by_reason": dict.fromkeys(FLAG_ORDER, 0),
              "pending": 0, "accepted": 0, "rejected": 0}
    for flags, review, n in rows:
        if review in (Response.Review.PENDING, Response.Review.ACCEPTED,
                      Response.Review.REJECTED):
            result[review] += n
        if flags:
            result["flagged"] += n
            for reason in flags.split(","):
                if reason in result["by_reason"]:
                    result["by_reason"][reason] += n
    from skm.results.models import TallyCell  # (results imports surveys, not the reverse)

    # the summary table counts every response but the rejected ones (skm.surveys.review)
    result["counted"] = (TallyCell.objects.filter(unit=unit, period__in=periods, dimension="n")
                         .aggregate(n=Sum("count"))["n"] or 0)
    result["total"] = result["counted"] + result["rejected"]
    result["flagged_counted"] = result["flagged"] - result["rejected"]
    result["share"] = percent_id(result["flagged"], result["total"])
    result["rejected_share"] = percent_id(result["rejected"], result["total"])
    return result
