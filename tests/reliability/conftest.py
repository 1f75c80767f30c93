"""Reliability fixtures: private Redis servers that a test may kill, and apps pointed at them."""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis as redis_lib
from flask import Flask

from app import clock
from app.extensions import db
from tests.conftest import build_app, clean_database
from tests.factories import load_bundled_bank, make_campaign, make_participant
from tests.leaderboards.conftest import cn_name, lb_campaign  # noqa: F401 (fixture)
from tests.quiz.conftest import EVENING, campaign  # noqa: F401 (fixture)
from tests.support import services

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
PG_BIN = Path("/usr/lib/postgresql/15/bin")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PrivateRedis:
    """A redis-server of our own (never the shared 6379): no persistence, so a restart starts empty."""

    def __init__(self) -> None:
        self.port = free_port()
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> PrivateRedis:
        self.proc = subprocess.Popen(
            [
                REDIS_SERVER,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis_lib.Redis(port=self.port, socket_connect_timeout=0.2)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                return self
            except redis_lib.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def kill(self) -> None:
        """SIGKILL, as a crash: no shutdown, no save."""
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait(10)
            self.proc = None


@pytest.fixture
def private_redis() -> Iterator[PrivateRedis]:
    if not shutil.which(REDIS_SERVER):
        services.unavailable("redis-server", f"{REDIS_SERVER} not found")
    server = PrivateRedis().start()
    yield server
    server.kill()


class PrivatePostgres:
    """A PostgreSQL cluster of our own (never the shared 5432), run as user postgres in a temp dir."""

    def __init__(self) -> None:
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="fangfei-pg-"))
        shutil.chown(self.dir, "postgres")
        self.data = self.dir / "data"

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/fangfei"

    def _pg(self, *args: str) -> None:
        subprocess.run(  # noqa: S603 (fixed binaries, our arguments)
            ["runuser", "-u", "postgres", "--", *args],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            timeout=60,
        )

    def init(self) -> PrivatePostgres:
        self._pg(str(PG_BIN / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres")
        self.start()
        self._pg(str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "fangfei")
        return self

    def start(self) -> None:
        opts = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._pg(
            str(PG_BIN / "pg_ctl"),
            "-D",
            str(self.data),
            "-o",
            opts,
            "-l",
            str(self.dir / "log"),
            "-w",
            "start",
        )

    def stop(self, mode: str = "immediate") -> None:
        """`immediate` is a crash: backends are killed, the next start runs crash recovery."""
        self._pg(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    def destroy(self) -> None:
        try:
            self.stop("immediate")
        except subprocess.CalledProcessError:
            pass  # already stopped
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture
def private_pg() -> Iterator[PrivatePostgres]:
    if not (PG_BIN / "initdb").exists() or not shutil.which("runuser"):
        services.unavailable("a private PostgreSQL cluster", f"{PG_BIN}/initdb or runuser missing")
    server = PrivatePostgres().init()
    yield server
    server.destroy()


@pytest.fixture
def make_app(pg_url: str, emu: str) -> Iterator[Callable[..., Flask]]:
    """Production-like apps on the test PostgreSQL database, with the Redis URL a test chooses."""
    made: list[Flask] = []

    def make(redis_url: str, **overrides) -> Flask:  # noqa: ANN003
        application = build_app(pg_url, redis_url, WECHAT_API_BASE=emu, WECHAT_OPEN_BASE=emu, **overrides)
        if not made:
            clean_database(application)
        made.append(application)
        return application

    yield make
    clock.freeze(None)
    for application in made:
        with application.app_context():
            db.session.remove()
            db.engine.dispose()


def residents(app: Flask, n: int, prefix: str = "o_rel_") -> list[str]:
    """The bundled bank, an open campaign (clock frozen on its day 2) and n registered residents' tokens."""
    from app.web.api.auth import issue_token

    with app.app_context():
        load_bundled_bank()
        campaign = make_campaign()
        clock.freeze(EVENING)
        codes = [t.code for t in campaign.teams]
        tokens = []
        for i in range(n):
            openid = f"{prefix}{i:03d}"
            make_participant(campaign, openid=openid, name=cn_name(i), region=codes[i % len(codes)])
            tokens.append(issue_token(openid))
        return tokens
