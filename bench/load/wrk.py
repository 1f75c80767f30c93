"""Run wrk with replay.lua against one server; read its figures, the app's /metrics and worker memory."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import requests

LUA = Path(__file__).with_name("replay.lua")
WRK_THREADS = 2  # the generator shares the machine's two cores with the servers
MISSING = (
    "wrk (the HTTP load generator) is not installed. `make bench-load` / `make bench-quick` install it, "
    "or run: apt-get install wrk (Debian/Ubuntu package `wrk`)"
)


class WrkMissing(SystemExit):
    """wrk is not on PATH: the load benchmark cannot run."""


def require() -> str:
    """The path of wrk, or a clear message saying how to install it."""
    path = shutil.which("wrk")
    if path is None:
        raise WrkMissing(MISSING)
    return path


@dataclass
class Run:
    label: str
    connections: int
    rate: int  # offered requests/s (0 = closed loop, as fast as answers come)
    requests: int
    seconds: float
    errors: int  # connect/read/write/timeout errors + non-2xx/3xx answers
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    wrapped: int

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def run(url: str, file: Path, *, connections: int, seconds: int, rate: int = 0, label: str = "") -> Run:
    """One wrk run replaying `file`; `rate` > 0 paces arrivals (delay() in replay.lua)."""
    threads = min(WRK_THREADS, connections)
    cmd = [
        require(), f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s",
        "-s", str(LUA), url, "--", str(file), str(threads), str(rate),
    ]  # fmt: skip
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 120)  # noqa: S603
    found = re.search(r"^BENCHJSON (.*)$", done.stdout, re.M)
    if not found:
        raise RuntimeError(f"wrk gave no figures:\n{done.stdout}\n{done.stderr}")
    d = json.loads(found.group(1))
    errors = d["connect"] + d["read"] + d["write"] + d["timeout"] + d["status"]
    return Run(
        label=label,
        connections=connections,
        rate=rate,
        requests=d["requests"],
        seconds=d["duration_us"] / 1e6,
        errors=errors,
        p50_ms=d["p50_us"] / 1000,
        p95_ms=d["p95_us"] / 1000,
        p99_ms=d["p99_us"] / 1000,
        max_ms=d["max_us"] / 1000,
        wrapped=d["wrapped"],
    )


def metrics(url: str) -> dict[str, float]:
    """The app's /metrics as {"name{labels}": value}."""
    from prometheus_client.parser import text_string_to_metric_families

    text = requests.get(url + "/metrics", timeout=10).text
    values: dict[str, float] = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            labels = ",".join(f"{k}={v}" for k, v in sorted(s.labels.items()))
            values[f"{s.name}{{{labels}}}"] = s.value
    return values


def metric_delta(before: dict[str, float], after: dict[str, float], prefix: str) -> dict[str, float]:
    return {
        k: after[k] - before.get(k, 0.0)
        for k in after
        if k.startswith(prefix) and after[k] != before.get(k, 0.0)
    }


def worker_rss_mib(master_pid: int) -> list[float]:
    """Resident memory of each worker of a gunicorn master (MiB)."""
    out = subprocess.run(["ps", "--ppid", str(master_pid), "-o", "rss="], capture_output=True, text=True)  # noqa: S603,S607
    return [int(x) / 1024 for x in out.stdout.split()]
