"""How gunicorn serves the portal (read by ``gunicorn.conf.py`` at the top of the repository).

Flask-Limiter's ``memory://`` storage keeps its counts inside each worker process, so with N workers every rate
limit is N times what it says (two workers let 20 sign-in attempts a minute through a limit of 10). With memory
storage the portal is served by one worker with threads; several workers need a shared store
(``RATELIMIT_STORAGE_URI=redis://...``), and production refuses to start without one.
"""
from __future__ import annotations

import os
from collections.abc import Mapping

DEFAULT_RATELIMIT_STORAGE_URI = "memory://"
#: threads of the single worker when the rate-limit counts live in its memory
SINGLE_WORKER_THREADS = 8
#: with a shared store: worker processes (unless WEB_CONCURRENCY says) and threads in each
SHARED_STORE_WORKERS = 2
SHARED_STORE_THREADS = 4


def rate_limit_storage_uri(environ: Mapping[str, str] = os.environ) -> str:
    return environ.get("RATELIMIT_STORAGE_URI") or DEFAULT_RATELIMIT_STORAGE_URI


def is_per_process(storage_uri: str) -> bool:
    """True when rate-limit counts live in each process's memory (not shared between workers)."""
    return storage_uri.strip().lower().startswith("memory://")


def _positive(environ: Mapping[str, str], name: str, default: int) -> int:
    value = (environ.get(name) or "").strip()
    if not value:
        return default
    number = int(value)
    if number < 1:
        raise RuntimeError(f"{name} must be a whole number of 1 or more; got {value!r}")
    return number


def server_settings(environ: Mapping[str, str] = os.environ) -> dict[str, int]:
    """gunicorn's ``workers`` and ``threads`` for this environment: one worker with threads while the rate-limit
    storage is per process, otherwise ``WEB_CONCURRENCY`` workers (2 by default). ``GUNICORN_THREADS`` sets the
    threads per worker."""
    if is_per_process(rate_limit_storage_uri(environ)):
        return {"workers": 1, "threads": _positive(environ, "GUNICORN_THREADS", SINGLE_WORKER_THREADS)}
    return {"workers": _positive(environ, "WEB_CONCURRENCY", SHARED_STORE_WORKERS),
            "threads": _positive(environ, "GUNICORN_THREADS", SHARED_STORE_THREADS)}


def check_worker_count(workers: int, *, storage_uri: str, production: bool) -> None:
    """Refuse (RuntimeError, saying what to do) to serve production from several worker processes that each keep
    their own rate-limit counts: every limit would be multiplied by the number of workers."""
    if production and workers > 1 and is_per_process(storage_uri):
        raise RuntimeError(
            f"Refusing to start {workers} worker processes with RATELIMIT_STORAGE_URI={storage_uri}: each worker "
            f"would count requests separately, so every rate limit (sign-in, verification, API) would allow "
            f"{workers} times as many. Set RATELIMIT_STORAGE_URI to a shared store "
            f"(for example redis://127.0.0.1:6379/0), or serve with one worker (--workers 1 --threads 8).")
