"""/healthz and /readyz."""

from __future__ import annotations

from tests.conftest import build_app


def test_healthz(app):
    assert app.test_client().get("/healthz").json == {"status": "ok"}


def test_readyz_ok_with_database_and_redis(app):
    res = app.test_client().get("/readyz")
    assert res.status_code == 200
    assert res.json["checks"] == {"database": "ok", "redis": "ok"}


def test_readyz_ok_embedded(embedded_app):
    res = embedded_app.test_client().get("/readyz")
    assert res.status_code == 200 and res.json["checks"] == {"database": "ok"}


def test_readyz_503_when_redis_is_down(pg_url):
    app = build_app(pg_url, "redis://127.0.0.1:1/0", REDIS_TIMEOUT=0.3)
    res = app.test_client().get("/readyz")
    assert res.status_code == 503 and res.json["checks"]["redis"] == "down"


def test_readyz_503_when_database_is_down():
    app = build_app("postgresql+psycopg://postgres@127.0.0.1:1/nowhere", DB_TIMEOUT=1.0)
    res = app.test_client().get("/readyz")
    assert res.status_code == 503 and res.json["checks"]["database"].startswith("down")
