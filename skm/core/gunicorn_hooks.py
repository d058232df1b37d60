"""gunicorn settings that ``skm serve`` loads (``--config python:skm.core.gunicorn_hooks``).

Only server hooks live here; the bind address, workers and logs are on the command line.
"""


def post_worker_init(worker):
    """Each new worker warms the region figures in the background (skm.results.warmup)."""
    from skm.results.warmup import start_in_background

    start_in_background()
