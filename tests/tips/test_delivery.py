"""Office notices: e-mail (SMTP, STARTTLS, SSL, timeouts), signed webhooks, WeCom robot; what they carry."""

from __future__ import annotations

import logging
from datetime import timedelta

from app import clock
from app.extensions import db
from app.jobs.tips import message_id, sign
from app.services import tip_delivery
from app.services.outbox import MAX_ATTEMPTS, backoff
from tests.tips.conftest import (
    DASHBOARD,
    chat_tip,
    deliver,
    file_tip,
    hook_settings,
    mail_settings,
    outbox_rows,
)
from tests.tips.receivers import Blackhole, SmtpServer, accept_login, make_tls_files, server_tls_context


def test_one_row_per_destination_committed_with_the_tip(make_app, smtp, office):
    app = make_app(
        **mail_settings(smtp, "duty@office.example, chief@office.example"),
        **hook_settings(office),
        TIP_WECOM_WEBHOOK_URL=office.url + "/wecom",
    )
    receipt = file_tip(app)["receipt"]
    rows = outbox_rows(app)
    assert [(r.channel, r.destination) for r in rows] == [
        ("tip_email", "duty@office.example"),
        ("tip_email", "chief@office.example"),
        ("tip_webhook", office.url + "/hook"),
        ("tip_wecom", "wecom-robot"),
    ]
    assert all(r.idempotency_key.startswith(f"tip:{receipt}:") and r.status == "pending" for r in rows)
    assert len({r.idempotency_key for r in rows}) == 4
    deliver(app)
    assert {r.status for r in outbox_rows(app)} == {"sent"}
    assert sorted(m["To"] for m in smtp.box.messages) == ["chief@office.example", "duty@office.example"]
    assert len(office.unique()) == 1 and len(office.wecom) == 1
    deliver(app, clock.now() + timedelta(hours=1))  # a second run sends nothing again
    assert len(smtp.box.messages) == 2 and len(office.raw) == 1 and len(office.wecom) == 1


def test_tip_and_its_notices_share_one_transaction(make_app, office):
    from app import runtime
    from app.models.outbox import OutboxMessage
    from app.models.tip import Tip
    from app.services import tips

    app = make_app(**hook_settings(office))
    draft = tips.TipDraft(category="person", target="王某", story="借钱不还还拉人入股。")
    with app.app_context():
        store = runtime.store(app)
        tips.submit_tip(
            draft, channel="web", openid="o_x", ip=None, store=store, config=app.config, now=clock.now()
        )
        db.session.rollback()  # whatever fails before the commit takes both back
        assert db.session.query(Tip).count() == 0 and db.session.query(OutboxMessage).count() == 0
        tips.submit_tip(
            draft, channel="web", openid="o_x", ip=None, store=store, config=app.config, now=clock.now()
        )
        db.session.commit()
        assert db.session.query(Tip).count() == 1 and db.session.query(OutboxMessage).count() == 1


def test_email_carries_receipt_category_time_link_and_no_identity(make_app, smtp):
    app = make_app(**mail_settings(smtp))
    receipt = chat_tip(app, "o_zhang", real_name=("张三", "13800138000"))
    deliver(app)
    [mail] = smtp.box.messages
    body = mail.get_content()
    assert receipt in mail["Subject"] and "公司/机构" in mail["Subject"]
    assert (
        receipt in body
        and "公司/机构" in body
        and "北京时间" in body
        and f"{DASHBOARD}/tips/{receipt}" in body
    )
    assert "实名" in body  # that a reward may follow, not who
    for secret in ("张三", "13800138000", "o_zhang", "某某投资咨询", "投一万"):
        assert secret not in mail.as_string() and secret not in body
    [row] = outbox_rows(app)
    assert mail["Message-ID"] == message_id(row.idempotency_key, "fangfei@tips.example")
    assert mail["X-Fangfei-Idempotency-Key"] == row.idempotency_key


def test_full_content_when_the_office_turns_it_on(make_app, smtp):
    app = make_app(**mail_settings(smtp), TIP_NOTIFY_FULL_CONTENT=1)
    chat_tip(app, "o_li", real_name=("李四", "13900139000"))
    deliver(app)
    body = smtp.box.messages[0].get_content()
    assert "某某投资咨询有限公司" in body and "投一万每月返五百" in body
    assert "李四" not in body and "13900139000" not in body  # identity never travels


def test_webhook_is_signed_and_carries_an_idempotency_key(make_app, office):
    app = make_app(**hook_settings(office))
    receipt = file_tip(app)["receipt"]
    deliver(app)
    [key] = office.unique()
    body, headers = office.bodies[key], office.headers[key]
    assert office.bad_signatures == 0 and headers["Idempotency-Key"] == key == body["idempotency_key"]
    assert body["receipt"] == receipt and body["category"] == "platform" and body["content"] is None
    assert body["dashboard_url"] == f"{DASHBOARD}/tips/{receipt}" and body["event"] == "tip.created"
    assert "鑫盛" not in str(body) and "o_web" not in str(body)
    assert sign("k", "1", b"{}") == "sha256=" + __import__("hmac").new(b"k", b"1.{}", "sha256").hexdigest()


def test_wecom_markdown(make_app, office):
    app = make_app(TIP_WECOM_WEBHOOK_URL=office.url + "/wecom")
    receipt = file_tip(app)["receipt"]
    deliver(app)
    [message] = office.wecom
    assert message["msgtype"] == "markdown"
    content = message["markdown"]["content"]
    assert receipt in content and "网站/平台" in content and f"({DASHBOARD}/tips/{receipt})" in content
    assert "鑫盛" not in content


def test_starttls_with_login(make_app, tmp_path, monkeypatch):
    cert, key = make_tls_files(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # trust our self-signed office server
    server = SmtpServer(
        tls_context=server_tls_context(cert, key),
        require_starttls=True,
        authenticator=accept_login,
        auth_required=True,
    ).start()
    try:
        settings = {**mail_settings(server), "SMTP_SECURITY": "starttls", "SMTP_USER": "office"}
        app = make_app(**settings, SMTP_PASSWORD="s3cret")
        receipt = file_tip(app)["receipt"]
        deliver(app)
        assert [receipt in m["Subject"] for m in server.box.messages] == [True]
    finally:
        server.stop()


def test_implicit_ssl(make_app, tmp_path, monkeypatch):
    cert, key = make_tls_files(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    server = SmtpServer(ssl_context=server_tls_context(cert, key)).start()
    try:
        app = make_app(**{**mail_settings(server), "SMTP_SECURITY": "ssl"})
        file_tip(app)
        deliver(app)
        assert len(server.box.messages) == 1
    finally:
        server.stop()


def test_a_hanging_smtp_server_times_out_and_is_retried(make_app):
    hole = Blackhole()
    try:
        settings = {**mail_settings(SmtpServer()), "SMTP_PORT": hole.port, "SMTP_TIMEOUT": 0.3}
        app = make_app(**settings)
        file_tip(app)
        deliver(app)
        [row] = outbox_rows(app)
        assert row.status == "pending" and row.attempts == 1 and "timed out" in row.last_error.lower()
        assert row.next_attempt_at > clock.now() + backoff(1) - timedelta(seconds=5)
    finally:
        hole.close()


def test_failure_after_the_cap_is_visible_to_staff(make_app, office, caplog):
    app = make_app(**hook_settings(office))
    receipt = file_tip(app)["receipt"]
    office.mode = "500"
    now = clock.now()
    with caplog.at_level(logging.WARNING):
        for attempt in range(1, MAX_ATTEMPTS + 1):
            deliver(app, now)
            now += backoff(attempt) + timedelta(seconds=1)
    [row] = outbox_rows(app)
    assert row.status == "failed" and row.attempts == MAX_ATTEMPTS and "HTTP 500" in row.last_error
    assert office.refused == MAX_ATTEMPTS  # 15 s doubling, capped at one hour, then it gives up
    assert any("failed for good" in r.message and receipt in r.message for r in caplog.records)
    runner = app.test_cli_runner()
    listing = runner.invoke(args=["tips", "list"])
    assert (
        f"{receipt}" in listing.output
        and "FAILED 1/1" in listing.output
        and "tips failures" in listing.output
    )
    failures = runner.invoke(args=["tips", "failures"])
    assert receipt in failures.output and "HTTP 500" in failures.output and "redeliver" in failures.output
    office.mode = "ok"
    assert "1 notice(s) queued again" in runner.invoke(args=["tips", "redeliver", receipt]).output
    deliver(app, now)
    assert outbox_rows(app)[0].status == "sent" and len(office.unique()) == 1
    with app.app_context():
        assert tip_delivery.failed_deliveries() == []
        db.session.remove()


def test_no_destination_configured_is_logged(app, caplog):
    with caplog.at_level(logging.WARNING):
        receipt = file_tip(app)["receipt"]
    assert any("no office destination" in r.message and receipt in r.message for r in caplog.records)
