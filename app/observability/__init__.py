"""Operational signals: Prometheus metrics at /metrics and structured JSON logs with a request id."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Install request ids, the access log, latency and callback metrics, domain counters and /metrics."""
    from app.observability import hooks, logs

    logs.configure(app.config.get("LOG_LEVEL", "INFO"), app.config.get("LOG_FORMAT", "text"))
    hooks.init_app(app)
