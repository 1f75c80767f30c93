"""Request hooks (request id, queue-time load shedding, latency, access log), /metrics, domain counters."""

from __future__ import annotations

import logging
import os
import re
import time

from flask import Flask, Response, current_app, g, jsonify, request
from sqlalchemy import event

from app.observability import metrics

log = logging.getLogger("fangfei.access")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def init_app(app: Flask) -> None:
    app.before_request(_start)
    app.after_request(_finish)
    app.add_url_rule("/metrics", "metrics", _metrics_view, methods=["GET"])
    _count_domain_events()


def _metrics_view() -> Response:
    body, content_type = metrics.render()
    return Response(body, content_type=content_type)


# Requests -------------------------------------------------------------------------------------------
def _start() -> Response | None:
    g.started = time.perf_counter()
    # g outlives a request when an app context was already pushed (CLI, tests): start clean
    g.wechat_type = g.wechat_outcome = g.wechat_msg_id = g.wechat_openid = None
    incoming = request.headers.get("X-Request-Id", "")
    # a random 128-bit id: os.urandom directly (uuid4 builds a UUID object, 7 times the cost)
    g.request_id = incoming if incoming and _REQUEST_ID.match(incoming) else os.urandom(16).hex()
    limit = float(current_app.config.get("SHED_AFTER", 0) or 0)
    if not limit:
        return None
    waited = queue_wait(request.headers.get("X-Request-Start", ""))
    if waited is not None and waited > limit:
        return _shed(waited)
    return None


def queue_wait(header: str, now: float | None = None) -> float | None:
    """Seconds since the proxy took the request: nginx's `X-Request-Start: t=<epoch seconds.millis>`
    (seconds, milliseconds or microseconds are all recognised). None when absent or unreadable."""
    raw = header.strip().removeprefix("t=")
    try:
        stamp = float(raw)
    except ValueError:
        return None
    while stamp > 1e11:  # milliseconds or microseconds since the epoch
        stamp /= 1000
    return max(0.0, (now if now is not None else time.time()) - stamp)


def _shed(waited: float) -> Response:
    """The request queued so long that WeChat is about to give up: answer at once instead of working."""
    endpoint = request.endpoint or "unknown"
    metrics.REQUESTS_SHED.labels(endpoint).inc()
    g.wechat_outcome = "shed"
    log.warning("shed after %.2fs in the queue", waited, extra={"fields": {"path": request.path}})
    if endpoint == "wechat.callback":
        from app.observability.shedding import polite_busy_reply

        return polite_busy_reply()
    res = jsonify(error="busy", message="人有点多，请稍后再试。")
    res.status_code = 503
    res.headers["Retry-After"] = "1"
    return res


def _finish(response: Response) -> Response:
    response.headers["X-Request-Id"] = g.get("request_id", "")
    endpoint = request.endpoint or "unmatched"
    elapsed = time.perf_counter() - g.get("started", time.perf_counter())
    _latency(endpoint, response.status_code // 100).observe(elapsed)
    if endpoint == "wechat.callback":
        outcome = g.get("wechat_outcome") or ("rejected" if response.status_code >= 400 else "replied")
        metrics.WECHAT_CALLBACKS.labels(g.get("wechat_type") or "unknown", outcome).inc()
    if endpoint != "metrics" and log.isEnabledFor(logging.INFO):
        fields = {
            "method": request.method,
            "path": request.path,  # never the query string: WeChat puts the openid there
            "status": response.status_code,
            "ms": round(elapsed * 1000, 2),
        }
        if g.get("wechat_type"):
            fields.update(wechat_type=g.wechat_type, outcome=g.get("wechat_outcome") or "replied")
        log.info("request", extra={"fields": fields})
    return response


_histograms: dict[tuple[str, int], metrics.Histogram] = {}


def _latency(endpoint: str, status_class: int):  # noqa: ANN202
    """The latency histogram's child for (endpoint, status class), looked up once per process."""
    child = _histograms.get((endpoint, status_class))
    if child is None:
        child = _histograms[(endpoint, status_class)] = metrics.REQUEST_LATENCY.labels(
            endpoint, f"{status_class}xx"
        )
    return child


def note_wechat(msg_type: str, event_name: str, msg_id: str | None, openid: str) -> None:
    """Called by the WeChat view once a message is opened: labels for metrics and logs."""
    g.wechat_type = f"event:{event_name}" if msg_type == "event" else msg_type
    g.wechat_msg_id = msg_id
    g.wechat_openid = openid


def note_outcome(outcome: str) -> None:
    """replied, duplicate (a retry got the first reply), retry_later (state store down), shed."""
    g.wechat_outcome = outcome


def outcome() -> str | None:
    return g.get("wechat_outcome")


# Domain counters ------------------------------------------------------------------------------------
_installed = False


def _count_domain_events() -> None:
    """Count papers, tips and notices after their transactions commit (a rollback counts nothing)."""
    global _installed
    if _installed:
        return
    _installed = True
    from app.models.outbox import FAILED, SENT, OutboxMessage
    from app.services import after_commit, tip_delivery

    after_commit.subscribe("paper_submitted", _paper_submitted)

    after_commit.subscribe("tip_filed", _tip_filed)

    @event.listens_for(OutboxMessage.status, "set")
    def _notice_status(msg: OutboxMessage, value: str, old: str, initiator) -> None:  # noqa: ANN001
        if msg.channel in tip_delivery.CHANNELS and value != old and value in (SENT, FAILED):
            outcome = "forwarded" if value == SENT else "failed"
            after_commit.defer(metrics.TIP_NOTICES.labels(msg.channel, outcome).inc)

    @event.listens_for(OutboxMessage.last_error, "set")
    def _notice_attempt(msg: OutboxMessage, value: str | None, old, initiator) -> None:  # noqa: ANN001
        if msg.channel in tip_delivery.CHANNELS and value:
            after_commit.defer(metrics.TIP_NOTICES.labels(msg.channel, "retried").inc)


def _paper_submitted(paper_id: int) -> None:
    metrics.PAPERS_SUBMITTED.inc()


def _tip_filed(channel: str) -> None:
    metrics.TIPS_RECEIVED.labels(channel or "unknown").inc()
