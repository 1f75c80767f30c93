"""Fixtures: real PostgreSQL + Redis (production-like), SQLite without Redis (make run), the emulator."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
import requests
from flask import Flask
from sqlalchemy import text

from app import clock, create_app
from app.emulator.server import create_emulator
from app.extensions import db
from app.services import read_cache
from config import load_settings
from tests.support import services
from tests.support.servers import ServerThread
from tests.support.wechat import wechat_client


def build_app(database_url: str, redis_url: str = "", **overrides) -> Flask:  # noqa: ANN003
    overrides.setdefault("REDIS_NAMESPACE", services.REDIS_NAMESPACE)
    settings = load_settings(
        "testing", environ={}, DATABASE_URL=database_url, REDIS_URL=redis_url, **overrides
    )
    return create_app(settings)


def upgrade(app: Flask) -> None:
    from flask_migrate import upgrade as alembic_upgrade

    with app.app_context():
        alembic_upgrade()


def clean_database(app: Flask) -> None:
    with app.app_context():
        tables = [t.name for t in reversed(db.metadata.sorted_tables)]
        if db.engine.dialect.name == "postgresql":
            db.session.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for name in tables:
                db.session.execute(text(f"DELETE FROM {name}"))  # noqa: S608 (our table names)
        db.session.commit()
        db.session.remove()
    read_cache.invalidate()


# Services ----------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    why = services.pg_available()
    if why:
        services.unavailable("PostgreSQL", why)
    name, url = services.create_pg_database()
    app = build_app(url)
    upgrade(app)
    with app.app_context():
        db.engine.dispose()
    yield url
    services.drop_pg_database(name)


@pytest.fixture(scope="session")
def redis_url() -> str:
    why = services.redis_available()
    if why:
        services.unavailable("Redis", why)
    return services.REDIS_URL


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("sqlite") / "fangfei.db"
    url = f"sqlite:///{path}"
    upgrade(build_app(url))
    return url


@pytest.fixture(scope="session")
def emulator() -> Iterator[ServerThread]:
    server = ServerThread(create_emulator()).start()
    yield server
    server.stop()


@pytest.fixture
def emu(emulator: ServerThread) -> Iterator[str]:
    """The emulator's URL, reset before each test."""
    requests.post(emulator.url + "/_emulator/reset", timeout=5)
    yield emulator.url + "/"


def emulator_state(emu_url: str) -> dict:
    return requests.get(emu_url + "_emulator/state", timeout=5).json()


# Apps --------------------------------------------------------------------------------------------
@pytest.fixture
def app(pg_url: str, redis_url: str, emu: str) -> Iterator[Flask]:
    """Production-like: PostgreSQL + Redis, the WeChat emulator."""
    services.clear_redis(redis_url)
    application = build_app(pg_url, redis_url, WECHAT_API_BASE=emu, WECHAT_OPEN_BASE=emu)
    clean_database(application)
    yield application
    clock.freeze(None)
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def embedded_app(sqlite_url: str, emu: str) -> Iterator[Flask]:
    """What `make run` uses: SQLite, no Redis."""
    application = build_app(sqlite_url, "", WECHAT_API_BASE=emu, WECHAT_OPEN_BASE=emu)
    clean_database(application)
    yield application
    clock.freeze(None)
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(params=["postgres+redis", "sqlite"])
def any_app(request: pytest.FixtureRequest) -> Flask:
    """The same test against both deployments."""
    name = "app" if request.param == "postgres+redis" else "embedded_app"
    return request.getfixturevalue(name)


@pytest.fixture
def wx(app: Flask):  # noqa: ANN201
    """A resident in WeChat talking to the production-like app (safe mode, in-process)."""
    return wechat_client(app)


@pytest.fixture
def ctx(app: Flask) -> Iterator[None]:
    with app.app_context():
        yield


def pytest_report_header(config: pytest.Config) -> str:
    return f"CI={os.environ.get('CI', '')} (services must be present when CI=true)"


# Browser tests -----------------------------------------------------------------------------------
from tests.support.browser import chromium_browser  # noqa: E402,F401  (session fixture, shared)


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    """The production-like app on a real socket, for a browser."""
    server = ServerThread(app).start()
    yield server.url
    server.stop()
