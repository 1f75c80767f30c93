"""WeChat's API (the emulator, over real HTTP) timing out: the token refresh retries within its budget,
customer-service messages stay in the outbox and go out on a later run. Errors (errcode, HTTP 500) are
covered in tests/foundation/test_wechat_api.py."""

from __future__ import annotations

import time

import requests

from app import clock, runtime
from app.extensions import db
from app.jobs.outbox import deliver_outbox
from app.models.outbox import OutboxMessage
from app.services import outbox
from tests.conftest import emulator_state


def fault(emu: str, endpoint: str, mode: str, count: int = 1) -> None:
    requests.post(
        emu + "_emulator/faults", json={"endpoint": endpoint, "mode": mode, "count": count}, timeout=5
    )


def test_token_refresh_retries_after_a_timeout(app, emu):
    fault(emu, "token", "timeout")  # the emulator sleeps 6 s: longer than HTTP_TIMEOUT
    with app.app_context():
        started = time.monotonic()
        token = runtime.wechat_api(app).provider.get()
        elapsed = time.monotonic() - started
    print(f"\ntoken after one timed-out attempt: {elapsed:.2f} s")
    assert token.startswith("EMU_") and emulator_state(emu)["token_calls"] == 1
    assert app.config["HTTP_TIMEOUT"] <= elapsed < 2 * app.config["HTTP_TIMEOUT"]  # one timeout, then success


def test_customer_service_message_retried_after_timeouts(app, emu):
    with app.app_context():
        runtime.wechat_api(app).provider.get()  # a valid token: only the send itself misbehaves
        outbox.enqueue_wechat_text(
            "o_resident_0001", "您的答题结果：90分", key="rel-timeout", now=clock.now()
        )
        db.session.commit()
        fault(emu, "custom_send", "timeout", count=2)
        when = clock.now()
        started = time.monotonic()
        assert deliver_outbox(when) == "0/1 delivered"
        assert time.monotonic() - started < 5  # a hung WeChat does not hang the job
        msg = db.session.query(OutboxMessage).one()
        assert msg.status == "pending" and msg.attempts == 1
        assert deliver_outbox(when) == "0/0 delivered"  # not due before its backoff
        assert deliver_outbox(msg.next_attempt_at) == "0/1 delivered"  # times out again
        db.session.refresh(msg)
        assert msg.attempts == 2
        assert deliver_outbox(msg.next_attempt_at) == "1/1 delivered"
        assert db.session.query(OutboxMessage).one().status == "sent"
    sent = emulator_state(emu)["sent"]
    assert [m["text"]["content"] for m in sent] == ["您的答题结果：90分"]  # once, not three times
