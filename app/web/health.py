"""/healthz (process up) and /readyz (database and, when configured, Redis reachable)."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

from app import runtime
from app.extensions import db

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():  # noqa: ANN201
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz():  # noqa: ANN201
    checks: dict[str, str] = {}
    try:
        db.session.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:
        db.session.rollback()
        checks["database"] = f"down: {type(exc).__name__}"
    client = current_app.extensions.get("fangfei.redis")
    if client is not None:
        checks["redis"] = "ok" if runtime.store().ping() else "down"
    ready = all(v == "ok" for v in checks.values())
    return jsonify(status="ok" if ready else "unavailable", checks=checks), 200 if ready else 503
