"""Per-process memory of the configuration every submission reads, exact across processes.

A kiosk's submission used to read its API token, the layanan, the unit's questionnaire version
and its unsur, and the current period: five queries before the one insert that matters. These
rows change rarely (an admin edits a layanan, revokes a token), so each app process remembers
them here, under a **generation** that all processes share through the cache (Redis in
production, the file cache on one machine):

- every save or delete of a watched model (units, layanan, periods, questionnaire versions and
  their unsur, API tokens, users) gives the generation a new random value, at once and again
  when the transaction commits;
- a process reads the generation once per request (a cache GET, far cheaper than the queries);
  if it differs from the one its memory was filled under, the memory is emptied first.

While a thread's transaction holds a change of a watched row, that thread remembers nothing
(what it reads may be rolled back), so a rolled-back change is never served from memory.

So a change is seen by every process from the first request that starts after it committed: a
revoked token is refused at once, exactly as without this memory. If the cache loses the key
(Redis restarted, the test cache cleared), a new random generation is drawn, which empties every
process's memory. Changes that bypass model signals (``QuerySet.update``, raw SQL, ``skm
restore``) must call :func:`bump` themselves; :func:`bump` also runs after ``migrate``.

If the cache cannot be reached, nothing is remembered or served from memory until it can be
again (every lookup reads the database), and a change made meanwhile renews the generation as
soon as the cache answers.

Values are shared by the requests of one process: callers must treat them as read-only.
"""

from __future__ import annotations

import logging
import secrets
import threading

from django.conf import settings
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import connection, transaction
from django.db.models.signals import post_delete, post_migrate, post_save

KEY = "skm:config-generation"
#: entries kept per process; past this the memory starts again (bounds memory under many tokens)
MAX_ENTRIES = 10_000

#: models whose rows are remembered; a save or delete of any of them starts a new generation
WATCHED = (
    "units.Unit",
    "units.Layanan",
    "units.Period",
    "surveys.QuestionnaireVersion",
    "surveys.QuestionnaireUnsur",
    "api.ApiToken",
    settings.AUTH_USER_MODEL,
)
#: saves that touch only these fields change nothing remembered (a login, a token's use)
IGNORED_FIELDS = {
    settings.AUTH_USER_MODEL: frozenset({"last_login"}),
    "api.ApiToken": frozenset({"last_used_at"}),
}

log = logging.getLogger(__name__)

_lock = threading.Lock()
_owed = [False]  # a change could not renew the generation (cache down): renew at next read
_memory: dict = {}
_filled_under: list = [None]  # the generation _memory belongs to
_request = threading.local()  # .generation: read once per request; None outside a request


def _new_generation() -> None:
    """A new shared value; if the cache cannot be reached, one is owed (``_owed``) and set at
    the next successful read, and this process forgets what it remembered."""
    try:
        cache.set(KEY, secrets.randbits(62), None)
    except Exception:  # the cache is down: see generation()
        log.warning("configuration generation not renewed: the cache is unreachable")
        _owed[0] = True
        forget_here()
    else:
        _owed[0] = False


def generation() -> int | None:
    """The shared generation: read once per request, on every call outside a request.

    None when the cache cannot be reached: then nothing is remembered or served from memory
    (every lookup reads the database, as if there were no memory), so a cache outage costs
    speed, never correctness or availability.
    """
    seen = getattr(_request, "generation", None)
    if seen is not None:
        return seen
    try:
        if _owed[0]:  # a change made while the cache was down: tell the others now
            _new_generation()
        value = cache.get(KEY)
        if value is None:
            # first use, or the cache lost it: a new value no process has filled its memory
            # under
            cache.add(KEY, secrets.randbits(62), None)
            value = cache.get(KEY)
    except Exception:
        log.warning("configuration memory off for this request: the cache is unreachable")
        forget_here()
        return None
    if value is None:  # pragma: no cover - a cache that refuses to store
        return None
    if getattr(_request, "active", False):
        _request.generation = value
    return value


def remember(key, load):
    """The value remembered under ``key`` in this generation, else ``load()`` (then remembered).

    ``load`` returning None is not remembered: unknown keys (a mistyped token) ask again.
    """
    current = generation()
    if current is None:
        return load()
    if getattr(_request, "pending", False):
        if _in_transaction():
            # this thread changed a watched row in the transaction still open: what it reads
            # may never be committed, so it is not remembered
            return load()
        _request.pending = False  # that transaction has ended, committed or rolled back
    with _lock:
        if _filled_under[0] != current:
            _memory.clear()
            _filled_under[0] = current
        if key in _memory:
            return _memory[key]
    value = load()
    if value is not None:
        with _lock:
            if _filled_under[0] == current:
                if len(_memory) >= MAX_ENTRIES:
                    _memory.clear()
                _memory[key] = value
    return value


def forget_here() -> None:
    """Empty this process's memory (the shared generation is unchanged)."""
    with _lock:
        _memory.clear()
        _filled_under[0] = None
    _request.generation = None


def bump() -> None:
    """Start a new generation now and again when the current transaction commits.

    The first makes this process (and this transaction) read afresh; the second covers a process
    that read the old rows between the first and the commit.
    """
    forget_here()
    _new_generation()
    if _in_transaction():
        _request.pending = True  # see remember(): nothing remembered until it ends
    transaction.on_commit(_new_generation)


def _in_transaction() -> bool:
    """Whether this thread's connection is inside a transaction of the code (a test case's own
    wrapping transaction aside, as Django's durable atomic blocks do)."""
    return any(not getattr(block, "_from_testcase", False)
               for block in connection.atomic_blocks)


def _changed(sender, instance=None, update_fields=None, raw=False, **kwargs):
    ignored = IGNORED_FIELDS.get(sender._meta.label)
    if ignored and update_fields and set(update_fields) <= ignored:
        return
    bump()


def _request_started(**kwargs):
    _request.active = True
    _request.generation = None
    _request.pending = False


def _request_finished(**kwargs):
    _request.active = False
    _request.generation = None


def connect() -> None:
    """Called from ``CoreConfig.ready``."""
    from django.apps import apps

    for label in WATCHED:
        model = apps.get_model(label)
        post_save.connect(_changed, sender=model, dispatch_uid=f"configcache-save-{label}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"configcache-delete-{label}")
    post_migrate.connect(lambda **kwargs: bump(), dispatch_uid="configcache-migrate", weak=False)
    request_started.connect(_request_started, dispatch_uid="configcache-request-started")
    request_finished.connect(_request_finished, dispatch_uid="configcache-request-finished")
