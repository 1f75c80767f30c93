"""Prometheus metrics. Under gunicorn (PROMETHEUS_MULTIPROC_DIR set) every worker writes its own files and
/metrics aggregates them; under the dev server the process registry is served directly."""

from __future__ import annotations

import os

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client import multiprocess as _multiprocess

# Buckets around WeChat's 5-second deadline and the 100 ms target.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 4.5, 10.0)

WECHAT_CALLBACKS = Counter(
    "fangfei_wechat_callbacks_total",
    "WeChat callbacks by message type (text, event:click, ...) and outcome.",
    ["type", "outcome"],
)
REQUEST_LATENCY = Histogram(
    "fangfei_http_request_duration_seconds",
    "Time to answer an HTTP request, by endpoint and status class.",
    ["endpoint", "status"],
    buckets=LATENCY_BUCKETS,
)
REQUESTS_SHED = Counter(
    "fangfei_requests_shed_total", "Requests refused because they waited too long in a queue.", ["endpoint"]
)
PAPERS_SUBMITTED = Counter("fangfei_papers_submitted_total", "Quiz papers submitted (committed).")
TIPS_RECEIVED = Counter("fangfei_tips_received_total", "Tips filed (committed), by channel.", ["channel"])
TIP_NOTICES = Counter(
    "fangfei_tip_notices_total",
    "Office notices about tips: forwarded (sent), retried (attempt failed) or failed (gave up), by channel.",
    ["channel", "outcome"],
)
JOB_RUNS = Counter("fangfei_job_runs_total", "Scheduled job runs by job and outcome.", ["job", "outcome"])


def multiprocess_dir() -> str | None:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


def render() -> tuple[bytes, str]:
    """The exposition text of every metric (all workers' when in multiprocess mode)."""
    if multiprocess_dir():
        registry = CollectorRegistry()
        _multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST


def worker_exited(pid: int) -> None:
    """gunicorn child_exit hook: drop a dead worker's live-gauge files (counters are kept)."""
    if multiprocess_dir():
        _multiprocess.mark_process_dead(pid)
