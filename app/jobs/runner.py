"""Runs one job: app context, a store lock so several schedulers run it once, one commit, logging."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from flask import Flask

from app import clock, redis_keys, runtime
from app.extensions import db
from app.observability import metrics

log = logging.getLogger(__name__)

JobFn = Callable[[datetime], str | None]


def run_job(app: Flask, name: str, fn: JobFn, run_key: str = "tick", now: datetime | None = None) -> bool:
    """Run `fn(now)` once under the job lock; returns False when another runner holds the lock."""
    with app.app_context():
        store = runtime.store(app)
        lock_key = redis_keys.job_lock(name, run_key)
        token = store.acquire(lock_key)
        if token is None:
            log.info("job %s (%s) already running elsewhere; skipped", name, run_key)
            metrics.JOB_RUNS.labels(name, "skipped").inc()
            return False
        try:
            detail = fn(now or clock.now())
            db.session.commit()
            if detail:
                log.info("job %s (%s): %s", name, run_key, detail)
            metrics.JOB_RUNS.labels(name, "ok").inc()
            return True
        except Exception:
            db.session.rollback()
            metrics.JOB_RUNS.labels(name, "failed").inc()
            log.exception("job %s (%s) failed", name, run_key)
            raise
        finally:
            store.release(lock_key, token)
            db.session.remove()
