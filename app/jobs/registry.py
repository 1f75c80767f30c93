"""The declarative list of periodic jobs. `flask scheduler run` runs them in one process."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.jobs.outbox import deliver_outbox
from app.jobs.runner import JobFn


@dataclass(frozen=True)
class JobSpec:
    name: str
    fn: JobFn
    trigger: str  # "interval" or "cron"
    trigger_args: dict[str, Any]


JOBS: tuple[JobSpec, ...] = (JobSpec("deliver_outbox", deliver_outbox, "interval", {"seconds": 10}),)


def by_name(name: str) -> JobSpec:
    for spec in JOBS:
        if spec.name == name:
            return spec
    raise KeyError(name)
