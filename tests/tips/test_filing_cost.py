"""Filing a tip is cheap: one statement and one Redis round trip; a taken receipt code or draft key is
decided by the UNIQUE constraints (nothing written twice, nothing lost)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import redis.client
from sqlalchemy import event, func, select

from app import clock, redis_keys, runtime
from app.extensions import db
from app.models.outbox import OutboxMessage
from app.models.tip import Tip, TipEvent
from app.services import receipts, tips
from tests.conftest import build_app, clean_database
from tests.tips.conftest import TIP, api, file_tip, hook_settings, mail_settings, outbox_rows

BODY = {"category": "person", "target": "王某", "story": "借钱不还还拉人入股。"}


@contextmanager
def counting(app, monkeypatch) -> Iterator[dict[str, list[str]]]:  # noqa: ANN001
    """SQL statements sent to the database and Redis round trips made inside the block."""
    seen: dict[str, list[str]] = {"sql": [], "redis": []}

    def on_execute(conn, cursor, statement, params, context, executemany) -> None:  # noqa: ANN001
        seen["sql"].append(" ".join(statement.split()))

    real_command, real_pipeline = redis.client.Redis.execute_command, redis.client.Pipeline.execute

    def command(self, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        seen["redis"].append(str(args[0]))
        return real_command(self, *args, **kwargs)

    def pipeline(self, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        seen["redis"].append("pipeline:" + ",".join(str(c[0][0]) for c in self.command_stack))
        return real_pipeline(self, *args, **kwargs)

    monkeypatch.setattr(redis.client.Redis, "execute_command", command)
    monkeypatch.setattr(redis.client.Pipeline, "execute", pipeline)
    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", on_execute)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", on_execute)


def test_web_tip_is_one_statement_and_one_redis_round_trip(make_app, office, smtp, monkeypatch):
    app = make_app(**hook_settings(office), **mail_settings(smtp))
    file_tip(app, "o_warm")  # first request: connections, caches
    client, headers = api(app, "o_cost")
    with counting(app, monkeypatch) as seen:
        res = client.post("/api/v1/tips", json=BODY, headers=headers)
    assert res.status_code == 201, res.get_json()
    assert len(seen["sql"]) == 1, seen["sql"]  # no receipt check, no read-back after the commit
    assert seen["sql"][0].startswith("WITH filed AS")
    assert seen["redis"] == ["EVALSHA"]  # both daily counters (user, IP) in one command
    with app.app_context():
        client = runtime.store(app).client
        counters = list(client.scan_iter(match=f"{redis_keys.ns()}:rate:tip-day-*"))
        assert all(0 < client.ttl(k) <= tips.DAY for k in counters)  # every counter expires
        # o_warm and o_cost once each; the test client's one address twice
        assert sorted(int(client.get(k)) for k in counters) == [1, 1, 2]
    receipt = res.get_json()["receipt"]
    with app.app_context():
        tip = db.session.scalar(select(Tip).where(Tip.receipt == receipt))
        assert [(e.actor, e.kind, e.status) for e in tip.events] == [("tipster", "submitted", "received")]
    rows = [r for r in outbox_rows(app) if r.idempotency_key.startswith(f"tip:{receipt}:")]
    assert sorted(r.channel for r in rows) == ["tip_email", "tip_webhook"]
    assert all(r.payload == {"tip_id": tip.id} and r.status == "pending" for r in rows)


def test_taken_receipt_code_is_drawn_again(make_app, office, monkeypatch):
    app = make_app(**hook_settings(office))
    taken = file_tip(app, "o_first")["receipt"]
    fresh = receipts.new_receipt()
    codes = iter([taken, taken, fresh])
    monkeypatch.setattr(tips, "new_receipt", lambda: next(codes))
    assert file_tip(app, "o_second")["receipt"] == fresh
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Tip)) == 2
        assert db.session.scalar(select(func.count()).select_from(TipEvent)) == 2
        first = db.session.scalar(select(Tip).where(Tip.receipt == taken))
        assert first.story == TIP["story"]  # the first tip is untouched
    assert len(outbox_rows(app)) == 2  # one notice each, none lost, none doubled


def test_draft_filed_meanwhile_returns_that_tip(make_app, office, monkeypatch):
    """Two requests with the same draft key racing past the look-up: the constraint files one tip."""
    app = make_app(**hook_settings(office))
    draft = tips.TipDraft(category="person", target="王某", story="借钱不还还拉人入股。", draft_key="k" * 40)
    with app.app_context():
        store = runtime.store(app)
        first = tips.submit_tip(
            draft, channel="web", openid="o_a", ip=None, store=store, config=app.config, now=clock.now()
        )
        receipt = first.receipt
        db.session.commit()
        real, looked = tips._filed, []

        def missed_once(key: str) -> Tip | None:  # the look-up ran before the other request committed
            looked.append(key)
            return None if len(looked) == 1 else real(key)

        monkeypatch.setattr(tips, "_filed", missed_once)
        second = tips.submit_tip(
            draft, channel="web", openid="o_a", ip=None, store=store, config=app.config, now=clock.now()
        )
        assert second.receipt == receipt and len(looked) == 2
        db.session.commit()
        assert db.session.scalar(select(func.count()).select_from(Tip)) == 1
        assert db.session.scalar(select(func.count()).select_from(TipEvent)) == 1
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 1


def test_sqlite_and_database_store_file_the_same_rows(sqlite_url, office):
    """`make run` (SQLite, no Redis): the same tip, event and notice, written statement by statement; the
    daily limit counts in the database store."""
    app = build_app(sqlite_url, "", **hook_settings(office), TIP_DAILY_LIMIT_USER=2)
    clean_database(app)
    receipt = file_tip(app, "o_dev")["receipt"]
    file_tip(app, "o_dev")
    client, headers = api(app, "o_dev")
    refused = client.post("/api/v1/tips", json=BODY, headers=headers)
    assert refused.status_code == 429, refused.get_json()
    with app.app_context():
        tip = db.session.scalar(select(Tip).where(Tip.receipt == receipt))
        assert [(e.kind, e.status) for e in tip.events] == [("submitted", "received")]
        [notice] = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.idempotency_key.startswith(f"tip:{receipt}:"))
        )
        assert notice.payload == {"tip_id": tip.id} and notice.channel == "tip_webhook"
        assert db.session.scalar(select(func.count()).select_from(Tip)) == 2
