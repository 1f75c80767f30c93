"""Start and stop the production-like stack as real processes: gunicorn masters, schedulers, job runners.

Used by the load benchmark and by tests/scale. Each node is a separate gunicorn master on its own port
(standing in for a host) sharing one PostgreSQL database and one Redis namespace.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
GUNICORN_CONF = ROOT / "config" / "gunicorn.py"
APP_ID = "wxbench0000000001"
APP_SECRET = "bench-app-secret"  # noqa: S105 (the emulator's credentials, not a real account)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class StackEnv:
    """FANGFEI_* settings of a production-profile deployment against local services and the emulator."""

    database_url: str
    redis_url: str
    namespace: str
    emulator_url: str
    extra: dict[str, str] = field(default_factory=dict)
    token: str = field(default_factory=lambda: "tok" + secrets.token_hex(8))
    aes_key: str = field(
        default_factory=lambda: secrets.token_urlsafe(40)[:43].replace("-", "a").replace("_", "b")
    )
    secret_key: str = field(default_factory=lambda: secrets.token_hex(24))
    data_key: str = field(default_factory=lambda: Fernet.generate_key().decode())

    def environ(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("FANGFEI_", "PROMETHEUS_"))}
        env.update(
            FLASK_APP="app",
            PYTHONPATH=str(ROOT),
            FANGFEI_ENV="production",
            FANGFEI_SECRET_KEY=self.secret_key,
            FANGFEI_DATABASE_URL=self.database_url,
            FANGFEI_REDIS_URL=self.redis_url,
            FANGFEI_REDIS_NAMESPACE=self.namespace,
            FANGFEI_WECHAT_TOKEN=self.token,
            FANGFEI_WECHAT_APP_ID=APP_ID,
            FANGFEI_WECHAT_APP_SECRET=APP_SECRET,
            FANGFEI_WECHAT_AES_KEY=self.aes_key,
            FANGFEI_DATA_KEY=self.data_key,
            FANGFEI_WECHAT_API_BASE=self.emulator_url,
            FANGFEI_WECHAT_OPEN_BASE=self.emulator_url,
            FANGFEI_LOG_LEVEL="WARNING",
        )
        env.update(self.extra)
        return env


@dataclass
class Proc:
    name: str
    popen: subprocess.Popen
    log_path: Path
    url: str = ""

    def stop(self, timeout: float = 15) -> None:
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(5)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


def start_node(
    env: StackEnv,
    log_dir: Path,
    *,
    port: int | None = None,
    workers: int = 2,
    threads: int = 4,
    app: str = "app:create_app()",
    name: str = "node",
    extra_env: dict[str, str] | None = None,
    cpus: str | None = None,
) -> Proc:
    """A gunicorn master with the production config on its own port; returns once /healthz answers.
    `cpus` pins the master and its workers to those cores (taskset), standing in for a host of that size."""
    port = port or free_port()
    environ = env.environ()
    environ.update(
        GUNICORN_BIND=f"127.0.0.1:{port}",
        WEB_CONCURRENCY=str(workers),
        GUNICORN_THREADS=str(threads),
        GUNICORN_PROC_NAME=f"fangfei-{name}",
        PROMETHEUS_MULTIPROC_DIR=str(log_dir / f"metrics-{name}-{port}"),
        GUNICORN_TIMEOUT="120",  # workers boot slowly on a busy shared machine; do not kill them for it
        **(extra_env or {}),
    )
    log_path = log_dir / f"{name}-{port}.log"
    cmd = [str(VENV_BIN / "gunicorn"), "-c", str(GUNICORN_CONF), app]
    if cpus is not None:
        cmd = ["taskset", "-c", cpus, *cmd]
    with open(log_path, "wb") as out:
        popen = subprocess.Popen(cmd, cwd=ROOT, env=environ, stdout=out, stderr=subprocess.STDOUT)  # noqa: S603
    proc = Proc(name, popen, log_path, f"http://127.0.0.1:{port}")
    wait_healthy(proc)
    return proc


def wait_healthy(proc: Proc, timeout: float = 150, path: str = "/healthz") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.popen.poll() is not None:
            raise RuntimeError(f"{proc.name} exited with {proc.popen.returncode}:\n{proc.log()[-3000:]}")
        try:
            if requests.get(proc.url + path, timeout=1).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    proc.stop()
    raise RuntimeError(f"{proc.name} did not become healthy:\n{proc.log()[-3000:]}")


def flask(env: StackEnv, log_dir: Path, *args: str, name: str = "flask") -> Proc:
    """A `flask ...` process (scheduler, job runner) with the stack's settings; not waited for."""
    log_path = log_dir / f"{name}-{secrets.token_hex(3)}.log"
    with open(log_path, "wb") as out:
        popen = subprocess.Popen(  # noqa: S603
            [str(VENV_BIN / "flask"), *args],
            cwd=ROOT,
            env=env.environ(),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    return Proc(name, popen, log_path)
