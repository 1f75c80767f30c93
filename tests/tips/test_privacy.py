"""Privacy: identity encrypted and apart from content, no IP kept, every staff view audited, retention purge
keeps only anonymous statistics, key rotation."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from pathlib import Path

import redis as redis_lib
from cryptography.fernet import Fernet
from sqlalchemy import inspect, select, text

from app import clock, personal_data, redis_keys
from app.extensions import db
from app.jobs.runner import run_job
from app.jobs.tips import purge_tips
from app.models.audit import AuditLog
from app.models.outbox import OutboxMessage
from app.models.tip import Tip, TipAttachment, TipEvent, TipIdentity, TipStat
from app.services import audit, tip_review
from tests.tips.conftest import api, chat_tip, deliver, file_tip, hook_settings

JPEG = b"\xff\xd8\xff\xe0" + b"\x01" * 300


def _dump(app) -> str:  # noqa: ANN001
    """Every value in every table, as text."""
    with app.app_context():
        out = []
        for table in db.metadata.sorted_tables:
            for row in db.session.execute(table.select()):
                out.append(" ".join(str(v) for v in row))
        db.session.remove()
        return "\n".join(out)


def test_identity_encrypted_and_no_ip_kept(make_app, redis_url):
    app = make_app()
    receipt = chat_tip(app, "o_wang_secret", real_name=("王秀英", "13712345678"))
    client, headers = api(app, "o_web_secret")
    body = {
        "category": "person",
        "target": "赵某",
        "story": "借钱说年息三成",
        "anonymous": False,
        "name": "刘建国",
        "phone": "13698765432",
        "consent": True,  # the tipster notice (GET /api/v1/privacy?kind=tips), required for real-name tips
    }
    res = client.post(
        "/api/v1/tips", json=body, headers=headers, environ_base={"REMOTE_ADDR": "203.0.113.77"}
    )
    assert res.status_code == 201
    everything = _dump(app)
    for secret in (
        "王秀英",
        "13712345678",
        "o_wang_secret",
        "刘建国",
        "13698765432",
        "o_web_secret",
        "203.0.113.77",
    ):
        assert secret not in everything, secret
    assert "某某投资咨询有限公司" in everything  # content is stored (apart from identity)
    with app.app_context():
        columns = {
            c["name"]
            for t in ("tips", "tip_identities", "tip_attachments", "tip_events")
            for c in inspect(db.engine).get_columns(t)
        }
        assert not {c for c in columns if "ip" in c.split("_")}
        tip = db.session.scalar(select(Tip).where(Tip.receipt == receipt))
        row = db.session.execute(
            text("SELECT name_enc, phone_enc, openid_enc FROM tip_identities WHERE tip_id = :t"),
            {"t": tip.id},
        ).one()
        assert all(v.startswith("gAAAA") for v in row)  # Fernet tokens
        assert [personal_data.decrypt(v) for v in row] == ["王秀英", "13712345678", "o_wang_secret"]
    # The chat draft (with the phone) was dropped from Redis when the tip was filed.
    r = redis_lib.Redis.from_url(redis_url, decode_responses=True)
    keys = list(r.scan_iter(f"{app.config['REDIS_NAMESPACE']}:*"))
    assert keys and not any(k.split(":")[1] == "dialog" for k in keys)
    assert not any("13712345678" in (r.get(k) or "") for k in keys if r.type(k) == "string")


def test_draft_in_the_store_holds_no_plain_identity(make_app, redis_url):
    from tests.support.wechat import wechat_client

    app = make_app()
    wx = wechat_client(app, openid="o_draft")
    for line in ("举报", "1", "某公司", "骗钱。", "好了", "跳过", "好了", "2", "吴某某", "13787654321"):
        wx.text(line)
    r = redis_lib.Redis.from_url(redis_url, decode_responses=True)
    with app.app_context():
        [raw] = [r.get(k) for k in r.scan_iter(redis_keys.dialog("o_draft").name)]
    assert "tip:confirm" in raw and "吴某某" not in raw and "13787654321" not in raw
    assert "实名（吴某某，137****4321）" in wx.history[-1].text


def test_staff_views_are_audited(make_app, tmp_path):
    app = make_app()
    receipt = chat_tip(app, "o_zhao", real_name=("赵敏", "13811112222"))
    runner = app.test_cli_runner()
    shown = runner.invoke(args=["tips", "show", receipt, "--actor", "officer-li"])
    assert shown.exit_code == 0 and "某某投资咨询有限公司" in shown.output and "投一万" in shown.output
    assert "赵敏" not in shown.output and "--identity" in shown.output
    shown = runner.invoke(args=["tips", "show", receipt, "--identity", "--actor", "officer-li"])
    assert "赵敏" in shown.output and "13811112222" in shown.output
    out = tmp_path / "tips.csv"
    exported = runner.invoke(args=["tips", "export", "-o", str(out), "--actor", "officer-chen"])
    assert "1 tips written" in exported.output
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert rows[0]["receipt"] == receipt and "name" not in rows[0]
    assert oct(out.stat().st_mode & 0o777) == "0o600"
    listed = runner.invoke(args=["tips", "list"])
    assert receipt in listed.output and "某某投资" not in listed.output
    with app.app_context():
        trail = [(a.actor, a.action) for a in audit.trail("tip", receipt)]
    assert trail == [
        ("officer-li", "tip.view"),
        ("officer-li", "tip.view"),
        ("officer-li", "tip.identity"),
        ("officer-chen", "tip.export"),
    ]


def test_status_changes_keep_history_and_audit(app):
    receipt = file_tip(app)["receipt"]
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["tips", "set-status", receipt, "verifying", "--note", "已转经侦", "--actor", "li"]
    )
    assert "核查中" in result.output
    runner.invoke(args=["tips", "set-status", receipt, "closed", "--reply", "已依法处理。", "--actor", "li"])
    with app.app_context():
        tip = db.session.scalar(select(Tip).where(Tip.receipt == receipt))
        assert tip.status == "closed" and tip.closed_at is not None and tip.public_reply == "已依法处理。"
        assert [(e.kind, e.status, e.note) for e in tip.events] == [
            ("submitted", "received", None),
            ("status", "verifying", "已转经侦"),
            ("status", "closed", None),
        ]
        assert [a.action for a in audit.trail("tip", receipt)] == ["tip.status", "tip.status"]
    assert (
        "no tip with receipt"
        in runner.invoke(args=["tips", "set-status", "JB-2222-2222-22", "closed"]).output
    )


def test_retention_purge_keeps_only_statistics(make_app, office):
    app = make_app(**hook_settings(office), TIP_RETENTION_DAYS=30)
    client, headers = api(app)
    files = {"files": [(io.BytesIO(JPEG), "a.jpg")]}
    data = {
        "category": "app",
        "target": "某App",
        "story": "充值返利",
        "anonymous": "0",
        "name": "孙某",
        "phone": "13500000000",
        "consent": "true",  # real-name tips need the tipster notice agreed to
    }
    res = client.post(
        "/api/v1/tips", data={**data, **files}, headers=headers, content_type="multipart/form-data"
    )
    old_closed = res.get_json()["receipt"]
    old_rejected = file_tip(app, openid="o_b")["receipt"]
    recent_closed = file_tip(app, openid="o_c")["receipt"]
    still_open = file_tip(app, openid="o_d")["receipt"]
    deliver(app)
    start = clock.now()
    with app.app_context():
        tip_review.set_status(old_closed, "closed", actor="li", now=start)
        tip_review.set_status(old_rejected, "rejected", actor="li", now=start)
        tip_review.set_status(recent_closed, "closed", actor="li", now=start + timedelta(days=20))
        db.session.commit()
        old_id = db.session.scalar(select(Tip.id).where(Tip.receipt == old_closed))
    media = Path(app.config["MEDIA_DIR"]) / "tips" / str(old_id)
    assert any(media.iterdir())
    assert run_job(app, "purge_tips", purge_tips, now=start + timedelta(days=31))
    with app.app_context():
        left = set(db.session.scalars(select(Tip.receipt)))
        assert left == {recent_closed, still_open}
        assert db.session.scalar(select(TipIdentity.id)) is None  # the real-name tip's identity went with it
        assert db.session.scalar(select(TipAttachment.id)) is None
        kept_events = {e.tip_id for e in db.session.scalars(select(TipEvent))}
        assert old_id not in kept_events
        assert not [m for m in db.session.scalars(select(OutboxMessage)) if old_closed in m.idempotency_key]
        stats = {
            (s.category, s.channel, s.outcome, s.anonymous): s.tips
            for s in db.session.scalars(select(TipStat))
        }
        assert stats == {("app", "web", "closed", False): 1, ("platform", "web", "rejected", True): 1}
        purges = db.session.scalars(select(AuditLog.target_id).where(AuditLog.action == "tip.purge")).all()
        assert sorted(purges) == sorted([old_closed, old_rejected])
    assert not media.exists()
    assert "孙某" not in _dump(app) and "充值返利" not in _dump(app)
    assert client.post("/api/v1/tips/lookup", json={"code": old_closed}).status_code == 404


def test_key_rotation(make_app):
    old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    app = make_app(DATA_KEY=old_key)
    receipt = chat_tip(app, "o_rotate", real_name=("周某", "13312345678"))
    rotating = make_app(DATA_KEY=f"{new_key},{old_key}")  # step 1: prepend the new key
    assert "周某" in rotating.test_cli_runner().invoke(args=["tips", "show", receipt, "--identity"]).output
    assert (
        "1 identities re-encrypted" in rotating.test_cli_runner().invoke(args=["tips", "rotate-keys"]).output
    )
    rotated = make_app(DATA_KEY=new_key)  # step 3: drop the old key
    assert (
        "13312345678" in rotated.test_cli_runner().invoke(args=["tips", "show", receipt, "--identity"]).output
    )
