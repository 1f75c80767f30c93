"""Faults with real components: SMTP down, a webhook answering 500, the delivery job killed midway, two
runners at once. Every tip gets its receipt at once; afterwards every destination has every tip, and a
copy is sent twice only when a sender dies after the receiver took it and before the mark - that copy
carries the same idempotency key, and the receiver discards it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import redis as redis_lib

from app import clock, redis_keys
from app.jobs import tips as tip_jobs
from app.jobs.outbox import deliver_outbox
from app.jobs.tips import message_id
from tests.tips.conftest import deliver, file_tip, hook_settings, later, mail_settings, outbox_rows

ROOT = Path(__file__).resolve().parents[2]
N = 100


def _file_many(app, n: int = N) -> tuple[list[str], float]:  # noqa: ANN001
    started = time.perf_counter()
    receipts = [file_tip(app, openid=f"o_resident_{i:03}")["receipt"] for i in range(n)]
    elapsed = time.perf_counter() - started
    print(f"\n{n} tips filed in {elapsed:.2f} s ({elapsed / n * 1000:.1f} ms each)")
    assert len(set(receipts)) == n
    return receipts, elapsed


def test_smtp_down_then_back(make_app, smtp):
    app = make_app(**mail_settings(smtp), TIP_DAILY_LIMIT_IP=1000)
    smtp.stop()
    receipts, elapsed = _file_many(app)
    assert elapsed < 20  # each one is a database transaction, no SMTP on the way
    deliver(app)  # the office's mail server is down: every notice fails its first attempt ...
    rows = outbox_rows(app)
    assert len(rows) == N and all(r.status == "pending" and r.attempts == 1 for r in rows)
    assert all("refused" in r.last_error.lower() for r in rows)
    smtp.start()  # ... and comes back
    deliver(app, later(20))  # after the first backoff (15 s)
    deliver(app, later(3600))  # a later run finds nothing left to send
    ids = smtp.box.ids()
    expected = {message_id(r.idempotency_key, "fangfei@tips.example") for r in rows}
    print(f"SMTP received {sum(ids.values())} messages, {len(ids)} distinct Message-IDs")
    assert set(ids) == expected and set(ids.values()) == {1}  # every tip, exactly once
    assert {r.status for r in outbox_rows(app)} == {"sent"}
    assert {m["Subject"].split()[0].removeprefix("【举报线索】") for m in smtp.box.messages} == set(receipts)


def test_webhook_500_then_ok(make_app, office):
    app = make_app(**hook_settings(office), TIP_DAILY_LIMIT_IP=1000)
    office.mode = "500"
    # The campaign clock stands still while the tips are filed and first delivered, so "10 s later" is 10 s after
    # every first attempt however long a loaded machine takes to file 100 tips.
    clock.freeze(clock.now())
    try:
        receipts, _ = _file_many(app)
        deliver(app)
        deliver(app, later(10))  # not due yet: nothing is tried before its backoff
        assert office.refused == N
        office.mode = "ok"
        deliver(app, later(20))
        deliver(app, later(3600))
    finally:
        clock.freeze(None)
    print(
        f"webhook: {office.refused} refused with 500, {len(office.raw)} accepted, {office.duplicates()} duplicates"
    )
    assert len(office.raw) == N and office.duplicates() == 0
    assert {office.bodies[k]["receipt"] for k in office.unique()} == set(receipts)


def test_delivery_job_killed_midway(make_app, office, pg_url, redis_url, emu):
    """A real `flask jobs run deliver_outbox` process is SIGKILLed while the receiver holds request 40."""
    app = make_app(**hook_settings(office), TIP_DAILY_LIMIT_IP=1000)
    _file_many(app)
    office.hold_at = 40
    env = {
        **os.environ,
        "FLASK_APP": "app",
        "FANGFEI_ENV": "testing",
        "FANGFEI_DATABASE_URL": pg_url,
        "FANGFEI_REDIS_URL": redis_url,
        "FANGFEI_REDIS_NAMESPACE": app.config["REDIS_NAMESPACE"],
        "FANGFEI_WECHAT_API_BASE": emu,
        "FANGFEI_TIP_WEBHOOK_URLS": office.url + "/hook",
        "FANGFEI_TIP_WEBHOOK_SECRET": hook_settings(office)["TIP_WEBHOOK_SECRET"],
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "flask", "jobs", "run", "deliver_outbox"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        assert office.held.wait(60), (
            proc.stderr.read().decode() if proc.poll() is not None else "no request 40"
        )
        os.kill(proc.pid, signal.SIGKILL)  # the receiver has #40; the sender never learns it
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
        office.release.set()
    rows = outbox_rows(app)
    assert sum(r.status == "sent" for r in rows) == 39 and len(office.unique()) == 40
    with app.app_context():  # the dead runner's job lock would run out after its TTL (10 min)
        redis_lib.Redis.from_url(redis_url).delete(redis_keys.job_lock("deliver_outbox", "tick").name)
    deliver(app)  # the dead runner's leases still hold: nothing is sent twice meanwhile
    assert len(office.raw) == 40
    deliver(app, later(180))  # leases expired (2 min): the rest goes out
    print(
        f"after the kill: {len(office.raw)} requests, {len(office.unique())} distinct, {office.duplicates()} duplicate"
    )
    assert office.unique() == {r.idempotency_key for r in rows}
    assert office.duplicates() == 1  # only the message in flight at the kill, with the same key
    assert {r.status for r in outbox_rows(app)} == {"sent"}


class Crash(BaseException):
    """Stands for the process dying: not an Exception, so nothing in the job catches it."""


def test_crash_between_send_and_mark_email(make_app, smtp):
    app = make_app(**mail_settings(smtp), TIP_DAILY_LIMIT_IP=1000)
    _file_many(app, 20)
    sent = []

    def send_then_die(msg):  # noqa: ANN001, ANN202
        tip_jobs.email_sender(msg)
        sent.append(msg.id)
        if len(sent) == 7:
            raise Crash

    app.extensions["fangfei.senders"] = {"tip_email": send_then_die}
    with pytest.raises(Crash):
        deliver(app)
    assert sum(r.status == "sent" for r in outbox_rows(app)) == 6 and len(smtp.box.messages) == 7
    del app.extensions["fangfei.senders"]
    deliver(app, later(180))
    ids = smtp.box.ids()
    assert len(ids) == 20 and sum(ids.values()) == 21
    assert [count for count in ids.values() if count > 1] == [2]  # the 7th, under the same Message-ID


def test_two_runners_at_once_never_send_twice(make_app, office):
    app = make_app(**hook_settings(office), TIP_DAILY_LIMIT_IP=1000)
    _file_many(app, 30)
    now = clock.now()

    def runner() -> None:
        with app.app_context():
            while deliver_outbox(now, limit=5) != "0/0 delivered":
                pass

    threads = [threading.Thread(target=runner) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len(office.raw) == 30 and office.duplicates() == 0


def test_a_runner_near_the_end_of_its_lease_hands_the_rest_back(make_app, office, monkeypatch):
    from app.jobs import outbox as outbox_job

    app = make_app(**hook_settings(office))
    _file_many(app, 3)
    monkeypatch.setattr(outbox_job, "SEND_WINDOW_S", 0.0)  # as if the first sends had taken a minute
    deliver(app)
    rows = outbox_rows(app)
    assert len(office.raw) == 0 and all(r.leased_until is None and r.attempts == 0 for r in rows)
    monkeypatch.setattr(outbox_job, "SEND_WINDOW_S", 60.0)
    deliver(app)  # the next run takes them at once, without waiting for the lease
    assert len(office.raw) == 3 and office.duplicates() == 0
