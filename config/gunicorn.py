"""gunicorn settings for production and the benchmarks: `gunicorn -c config/gunicorn.py 'app:create_app()'`.

Sized for a 2-core node: WEB_CONCURRENCY workers x GUNICORN_THREADS threads (gthread). The listen backlog is
bounded so an overloaded node refuses connections quickly instead of queueing them past WeChat's 5-second
deadline; requests that still queued too long are refused by the app (FANGFEI_SHED_AFTER, X-Request-Start).
"""

import os
import shutil
import tempfile

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
backlog = int(os.environ.get("GUNICORN_BACKLOG", "256"))
# GUNICORN_REUSE_PORT=1 gives each worker its own listening socket (SO_REUSEPORT) and lets the kernel spread new
# connections evenly. Off by default: a worker that exits (max_requests, reload) resets the connections queued on
# its own socket (measured: 49 wrk errors in 13,000 requests with restarts every 1,500 requests; 0 with the shared
# socket), while the imbalance it cures (one worker keeping most keep-alive connections: seen once, 9.9 / 0.6 /
# 0.5 CPU s by worker on a busy machine) did not recur on an idle one. See docs/deploy.md.
reuse_port = os.environ.get("GUNICORN_REUSE_PORT", "0") == "1"
keepalive = 5
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))  # a stuck (or still booting) worker is restarted
graceful_timeout = 20
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "20000"))
max_requests_jitter = max_requests // 10
accesslog = None  # the app writes one structured line per request (request id, MsgId, no query string)
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "warning")
proc_name = os.environ.get("GUNICORN_PROC_NAME", "fangfei")

# Prometheus multiprocess mode: each worker writes its metric files here; /metrics merges them.
_metrics_dir = os.environ.setdefault(
    "PROMETHEUS_MULTIPROC_DIR",
    os.path.join(tempfile.gettempdir(), f"fangfei-metrics-{bind.replace(':', '-')}"),
)


def on_starting(server) -> None:  # noqa: ANN001
    """A fresh metrics directory per master start (stale files from a previous run would be merged)."""
    shutil.rmtree(_metrics_dir, ignore_errors=True)
    os.makedirs(_metrics_dir, exist_ok=True)


def child_exit(server, worker) -> None:  # noqa: ANN001
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def post_worker_init(worker) -> None:  # noqa: ANN001
    """Move everything the worker loaded at boot (modules, the app, about 160k objects) out of the garbage
    collector's reach: a full collection then scans only what requests create, instead of stalling every
    thread of the worker for tens of milliseconds (measured: 80 ms per full collection before, 0 after).
    GUNICORN_SWITCH_INTERVAL (seconds, Python's default 0.005) is how long a thread may hold the GIL while
    another waits, e.g. with a Redis or PostgreSQL reply in hand."""
    import sys

    gc_freeze()
    switch = os.environ.get("GUNICORN_SWITCH_INTERVAL")
    if switch:
        sys.setswitchinterval(float(switch))


def gc_freeze() -> None:
    import gc

    gc.collect()
    gc.freeze()
