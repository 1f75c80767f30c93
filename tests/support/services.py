"""Real PostgreSQL and Redis for tests. With CI=true a missing service fails the test; it never skips."""

from __future__ import annotations

import os
import uuid

import psycopg
import pytest
import redis

PG_ADMIN_DSN = os.environ.get("FANGFEI_TEST_PG_DSN", "host=127.0.0.1 port=5432 user=postgres dbname=postgres")
REDIS_URL = os.environ.get("FANGFEI_TEST_REDIS_URL", "redis://127.0.0.1:6379/13")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def unavailable(service: str, why: str) -> None:
    message = f"{service} is not reachable ({why})"
    if IN_CI:
        pytest.fail(f"{message}; CI must run this test (.ci/run starts the service)", pytrace=False)
    pytest.skip(message)


def pg_available() -> str | None:
    try:
        with psycopg.connect(PG_ADMIN_DSN, connect_timeout=3):
            return None
    except psycopg.Error as exc:
        return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def create_pg_database(prefix: str = "fangfei_test") -> tuple[str, str]:
    """Create a fresh database; returns (name, SQLAlchemy URL)."""
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    params = dict(p.split("=", 1) for p in PG_ADMIN_DSN.split())
    url = f"postgresql+psycopg://{params.get('user', 'postgres')}@{params.get('host', '127.0.0.1')}:{params.get('port', '5432')}/{name}"
    return name, url


def drop_pg_database(name: str) -> None:
    with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def redis_available() -> str | None:
    try:
        redis.Redis.from_url(REDIS_URL, socket_timeout=2, socket_connect_timeout=2).ping()
        return None
    except redis.RedisError as exc:
        return str(exc)


# Each test run gets its own Redis key namespace, so parallel runs on one Redis never see each other.
REDIS_NAMESPACE = f"fft{os.getpid()}{uuid.uuid4().hex[:4]}"


def clear_redis(url: str = REDIS_URL) -> None:
    """Delete this run's keys (never FLUSHDB: other runs may share the database)."""
    client = redis.Redis.from_url(url)
    keys = list(client.scan_iter(match=f"{REDIS_NAMESPACE}:*", count=1000))
    for i in range(0, len(keys), 500):
        client.delete(*keys[i : i + 500])
