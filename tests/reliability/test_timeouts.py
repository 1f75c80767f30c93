"""Every network call ends before WeChat's 5-second deadline: the effective configuration of a production
app, and each client against a black hole (a socket that accepts and never answers)."""

from __future__ import annotations

import smtplib
import socket
import time
from collections.abc import Iterator

import pytest
import requests
from cryptography.fernet import Fernet
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from app import create_app, redis_keys, runtime
from app.extensions import db
from app.jobs import tips as tip_jobs
from app.state_store import RedisStore, StoreUnavailable, connect_redis
from app.wechat.client import TokenProvider
from config import load_settings
from config.settings import ConfigError
from tests.conftest import build_app

DEADLINE = 5.0


def production_env(**extra: str) -> dict[str, str]:
    return {
        "FANGFEI_SECRET_KEY": "s" * 40,
        "FANGFEI_WECHAT_TOKEN": "prodtoken",
        "FANGFEI_WECHAT_APP_ID": "wxprod000000000001",
        "FANGFEI_WECHAT_APP_SECRET": "prod-secret",
        "FANGFEI_WECHAT_AES_KEY": "Z" * 43,
        "FANGFEI_DATA_KEY": Fernet.generate_key().decode(),
        "FANGFEI_DATABASE_URL": "postgresql+psycopg://fangfei@db.internal/fangfei",
        "FANGFEI_REDIS_URL": "redis://cache.internal:6379/0",
        "FANGFEI_SMTP_HOST": "smtp.internal",
        "FANGFEI_TIP_EMAIL_TO": "office@example.gov.cn",
        **extra,
    }


def test_production_app_timeouts_are_below_wechats_deadline():
    app = create_app(load_settings("production", environ=production_env()))
    redis_kwargs = app.extensions["fangfei.redis"].connection_pool.connection_kwargs
    assert redis_kwargs["socket_timeout"] < DEADLINE and redis_kwargs["socket_connect_timeout"] < DEADLINE
    engine = app.config["SQLALCHEMY_ENGINE_OPTIONS"]
    assert engine["connect_args"]["connect_timeout"] < DEADLINE
    statement_ms = int(engine["connect_args"]["options"].split("statement_timeout=")[1])
    assert 0 < statement_ms < DEADLINE * 1000
    assert engine["pool_timeout"] < DEADLINE
    # no pre-ping round trip per request; a dead connection fails once and the pool is renewed
    assert engine["pool_pre_ping"] is False and 0 < engine["pool_recycle"] <= 3600
    assert 0 < app.config["SMTP_TIMEOUT"] < DEADLINE
    api = runtime.wechat_api(app)
    assert api.timeout < DEADLINE and api.provider.timeout < DEADLINE
    assert 0 < app.config["HTTP_TIMEOUT"] < DEADLINE  # webhooks and the OAuth code exchange


@pytest.mark.parametrize("name", ["HTTP_TIMEOUT", "DB_TIMEOUT", "REDIS_TIMEOUT", "SMTP_TIMEOUT"])
def test_production_refuses_a_timeout_past_the_deadline(name):
    with pytest.raises(ConfigError, match=f"FANGFEI_{name}"):
        load_settings("production", environ=production_env(**{f"FANGFEI_{name}": "10"}))


@pytest.fixture
def black_hole() -> Iterator[int]:
    """Accepts TCP connections (the kernel's backlog) and never says a word."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    yield sock.getsockname()[1]
    sock.close()


def timed(fn) -> tuple[float, BaseException | None]:  # noqa: ANN001
    started = time.monotonic()
    try:
        fn()
        error = None
    except BaseException as exc:  # noqa: BLE001 (the test inspects it)
        error = exc
    return time.monotonic() - started, error


def test_redis_black_hole_fails_within_the_timeout(black_hole):
    settings = load_settings("testing", environ={})
    store = RedisStore(connect_redis(f"redis://127.0.0.1:{black_hole}/0", settings.REDIS_TIMEOUT))
    elapsed, error = timed(lambda: store.get(redis_keys.dedup("x")))
    print(f"\nRedis black hole: {type(error).__name__} after {elapsed:.2f} s")
    assert isinstance(error, StoreUnavailable) and elapsed < DEADLINE


def test_database_black_hole_and_slow_statement_fail_within_the_timeout(black_hole, pg_url):
    hole = build_app(f"postgresql+psycopg://postgres@127.0.0.1:{black_hole}/nowhere")
    with hole.app_context():
        elapsed, error = timed(lambda: db.session.execute(text("SELECT 1")))
        db.engine.dispose()
    print(f"\nPostgreSQL black hole: {type(error).__name__} after {elapsed:.2f} s")
    assert isinstance(error, OperationalError) and elapsed < DEADLINE
    real = build_app(pg_url)
    with real.app_context():
        elapsed, error = timed(lambda: db.session.execute(text("SELECT pg_sleep(10)")))
        db.session.rollback()
        db.engine.dispose()
    print(f"a 10 s statement: {type(error).__name__} after {elapsed:.2f} s")
    assert isinstance(error, OperationalError) and "statement timeout" in str(error) and elapsed < DEADLINE


def test_smtp_black_hole_fails_within_the_timeout(black_hole, pg_url):
    app = build_app(pg_url, SMTP_HOST="127.0.0.1", SMTP_PORT=black_hole, SMTP_SECURITY="none")
    assert app.config["SMTP_TIMEOUT"] == load_settings("production", environ=production_env()).SMTP_TIMEOUT
    with app.app_context():
        elapsed, error = timed(tip_jobs._smtp)  # noqa: SLF001 (the job's own connection factory)
    print(f"\nSMTP black hole: {type(error).__name__} after {elapsed:.2f} s")
    assert isinstance(error, (TimeoutError, smtplib.SMTPException, OSError)) and elapsed < DEADLINE


def test_wechat_api_black_hole_fails_within_the_timeout(black_hole, redis_url, pg_url):
    app = build_app(pg_url, redis_url)
    base = f"http://127.0.0.1:{black_hole}/"
    provider = TokenProvider(
        runtime.store(app), "wx1", "secret", base, app.config["HTTP_TIMEOUT"], attempts=1
    )
    elapsed, error = timed(provider.get)
    print(f"\nWeChat API black hole: {type(error).__name__} after {elapsed:.2f} s")
    assert error is not None and elapsed < DEADLINE
    elapsed, error = timed(lambda: requests.get(base, timeout=app.config["HTTP_TIMEOUT"]))
    assert isinstance(error, requests.Timeout) and elapsed < DEADLINE
