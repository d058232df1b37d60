"""Warming a new app process: the region figures of the latest periods, computed before the
first visitor asks.

A region's figures are remembered per process (:mod:`skm.results.services`); a new process
(after ``skm serve`` starts, or gunicorn replaces a worker) would otherwise compute them on the
first request, about 0.6 s for a province of 317 units. ``skm serve`` calls :func:`warm` in a
background thread of every worker as it starts (``skm.core.gunicorn_hooks``), for the
``SKM_WARM_PERIODS`` latest periods that have counts (default 2; 0 turns it off). Requests are
answered meanwhile; one that arrives before the warm-up is done computes what it needs itself,
exactly as without it. Afterwards the worker's long-lived objects are frozen out of the cyclic
garbage collector's full passes (``gc.freeze``).
"""

from __future__ import annotations

import gc
import logging
import os
import threading
import time

from django.db import connection

log = logging.getLogger(__name__)

DEFAULT_PERIODS = 2


def periods_to_warm() -> int:
    text = os.environ.get("SKM_WARM_PERIODS", "").strip()
    if not text:
        return DEFAULT_PERIODS
    try:
        return max(0, int(text))
    except ValueError:
        log.warning("SKM_WARM_PERIODS=%r is not a whole number; warming %s periods",
                    text, DEFAULT_PERIODS)
        return DEFAULT_PERIODS


def warm(periods: int | None = None) -> list[tuple[str, str]]:
    """Compute the figures of every top-level unit's whole subtree for the ``periods`` latest
    periods with counts, by the default method; returns ``[(unit slug, period code)]``."""
    from skm.results.models import SummaryRevision
    from skm.results.services import subtree_results
    from skm.units.models import Period, Unit

    periods = periods_to_warm() if periods is None else periods
    if periods <= 0:
        return []
    latest = list(Period.objects.filter(pk__in=SummaryRevision.objects.values("period_id"))
                  .order_by("-end", "-start")[:periods])
    warmed = []
    for root in Unit.objects.filter(parent__isnull=True).order_by("path"):
        for period in latest:
            subtree_results(root, period)
            warmed.append((root.slug, period.code))
    return warmed


def _run() -> None:
    started = time.monotonic()
    try:
        warmed = warm()
        log.info("warmed the region figures of %s in %.1f s", warmed, time.monotonic() - started)
    except Exception:  # a warm-up never takes a worker down: requests compute it themselves
        log.exception("warming the region figures failed")
    finally:
        connection.close()  # this thread's own connection
        # What the worker holds now (the app, the figures just computed) lives as long as the
        # worker: moved out of the collector's sight, a full collection no longer walks it on
        # some request (it cost 80-100 ms at province scale, every few recomputations).
        gc.freeze()


def start_in_background() -> threading.Thread | None:
    """Start :func:`warm` in a daemon thread (None when ``SKM_WARM_PERIODS`` is 0)."""
    if periods_to_warm() <= 0:
        return None
    thread = threading.Thread(target=_run, name="skm-warm-up", daemon=True)
    thread.start()
    return thread
