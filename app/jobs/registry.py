"""The declarative list of periodic jobs. `flask scheduler run` runs them in one process."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.jobs.dashboard import refresh_dashboard_stats
from app.jobs.leaderboards import publish_due, watch_leaderboards
from app.jobs.outbox import deliver_outbox
from app.jobs.personal_data import purge_personal_data
from app.jobs.runner import JobFn
from app.jobs.tips import download_tip_media, purge_tips


@dataclass(frozen=True)
class JobSpec:
    name: str
    fn: JobFn
    trigger: str  # "interval" or "cron"
    trigger_args: dict[str, Any]


JOBS: tuple[JobSpec, ...] = (
    JobSpec("deliver_outbox", deliver_outbox, "interval", {"seconds": 10}),
    JobSpec("publish_due", publish_due, "interval", {"seconds": 60}),
    JobSpec("watch_leaderboards", watch_leaderboards, "interval", {"seconds": 30}),
    JobSpec("refresh_dashboard_stats", refresh_dashboard_stats, "interval", {"seconds": 300}),
    JobSpec("download_tip_media", download_tip_media, "interval", {"seconds": 30}),
    JobSpec("purge_tips", purge_tips, "cron", {"hour": 3, "minute": 30}),
    JobSpec("purge_personal_data", purge_personal_data, "cron", {"hour": 3, "minute": 45}),
)


def by_name(name: str) -> JobSpec:
    for spec in JOBS:
        if spec.name == name:
            return spec
    raise KeyError(name)
