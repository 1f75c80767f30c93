"""The scheduler process: APScheduler running the declarative job list (never inside web workers)."""

from __future__ import annotations

import logging
from typing import Any

from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask

from app.clock import CAMPAIGN_TZ
from app.jobs.registry import JOBS, JobSpec
from app.jobs.runner import run_job

log = logging.getLogger(__name__)

MIN_INTERVAL_S = 1.0  # a scaled interval job never runs more often than once a second


def trigger_args(spec: JobSpec, scale: float = 1.0) -> dict[str, Any]:
    """The job's trigger arguments; an interval job's period is multiplied by `scale` (cron jobs keep theirs)."""
    if spec.trigger != "interval" or scale == 1.0:
        return dict(spec.trigger_args)
    seconds = max(MIN_INTERVAL_S, _period_s(spec.trigger_args) * scale)
    return {"seconds": seconds}


def _period_s(args: dict[str, Any]) -> float:
    units = {"weeks": 604800, "days": 86400, "hours": 3600, "minutes": 60, "seconds": 1}
    return float(sum(args.get(unit, 0) * factor for unit, factor in units.items()))


def build_scheduler(app: Flask) -> BlockingScheduler:
    """Every job of the list, each under its job lock (run_job), so a standby scheduler is harmless."""
    scale = float(app.config.get("SCHEDULER_INTERVAL_SCALE", 1.0))
    scheduler = BlockingScheduler(timezone=CAMPAIGN_TZ)
    for spec in JOBS:
        args = trigger_args(spec, scale)
        scheduler.add_job(
            _safe_run,
            spec.trigger,
            args=[app, spec],
            id=spec.name,
            max_instances=1,
            coalesce=True,
            misfire_grace_time=300,
            **args,
        )
        log.info("scheduled %s: %s %s", spec.name, spec.trigger, args)
    return scheduler


def _safe_run(app: Flask, spec: JobSpec) -> None:
    try:
        run_job(app, spec.name, spec.fn)
    except Exception:
        log.exception("scheduled job %s failed", spec.name)
