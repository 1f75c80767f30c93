"""The scheduler process: APScheduler running the declarative job list (never inside web workers)."""

from __future__ import annotations

import logging

from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask

from app.clock import CAMPAIGN_TZ
from app.jobs.registry import JOBS
from app.jobs.runner import run_job

log = logging.getLogger(__name__)


def build_scheduler(app: Flask) -> BlockingScheduler:
    scheduler = BlockingScheduler(timezone=CAMPAIGN_TZ)
    for spec in JOBS:
        scheduler.add_job(
            _safe_run,
            spec.trigger,
            args=[app, spec],
            id=spec.name,
            max_instances=1,
            coalesce=True,
            misfire_grace_time=300,
            **spec.trigger_args,
        )
    return scheduler


def _safe_run(app: Flask, spec) -> None:  # noqa: ANN001
    try:
        run_job(app, spec.name, spec.fn)
    except Exception:
        log.exception("scheduled job %s failed", spec.name)
