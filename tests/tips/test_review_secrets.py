"""Review: the WeCom robot URL's `key` is a credential; a failed send must not copy it into the outbox or logs."""

from __future__ import annotations

import logging
import socket

from tests.tips.conftest import deliver, file_tip, later, outbox_rows

ROBOT_KEY = "693axxx6-7aoc-4bc4-97a0-0ec2sifa5aaa"


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_wecom_robot_key_stays_out_of_last_error_and_logs(make_app, caplog):
    url = f"http://127.0.0.1:{_closed_port()}/cgi-bin/webhook/send?key={ROBOT_KEY}"
    app = make_app(TIP_WECOM_WEBHOOK_URL=url, HTTP_TIMEOUT=0.5)
    file_tip(app)
    caplog.set_level(logging.DEBUG)
    for minutes in range(0, 11):  # every attempt up to "failed for good" (logged at ERROR)
        deliver(app, later(minutes * 3600 + 1))
    rows = outbox_rows(app)
    assert rows and rows[0].status == "failed" and rows[0].last_error
    assert ROBOT_KEY not in rows[0].last_error
    assert ROBOT_KEY not in caplog.text
