"""/metrics in Prometheus format: callbacks by type and outcome, latency, papers, tips, notices, job runs."""

from __future__ import annotations

import re

from prometheus_client.parser import text_string_to_metric_families

from app.jobs.outbox import deliver_outbox
from app.jobs.runner import run_job
from tests.quiz.test_chat_quiz import register_by_chat, right_answer
from tests.support.wechat import wechat_client
from tests.tips.conftest import file_tip


def scrape(app) -> dict[tuple[str, tuple], float]:  # noqa: ANN001
    res = app.test_client().get("/metrics")
    assert res.status_code == 200 and res.content_type.startswith("text/plain")
    values = {}
    for family in text_string_to_metric_families(res.get_data(as_text=True)):
        for sample in family.samples:
            values[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return values


def delta(before: dict, after: dict, name: str, **labels: str) -> float:
    key = (name, tuple(sorted(labels.items())))
    return after.get(key, 0.0) - before.get(key, 0.0)


def test_callbacks_are_counted_by_type_and_outcome(app, campaign):
    wx = wechat_client(app, openid="o_metrics_0001")
    before = scrape(app)
    wx.subscribe()
    wx.text("帮助")
    first = wx.history[-1]
    retry = wx.post(first.query, first.body)  # WeChat's retry of the same MsgId
    assert retry.text == first.text
    app.test_client().post("/wechat?timestamp=1&nonce=x&signature=bad", data=b"<xml/>")
    after = scrape(app)
    assert (
        delta(before, after, "fangfei_wechat_callbacks_total", type="event:subscribe", outcome="replied") == 1
    )
    assert delta(before, after, "fangfei_wechat_callbacks_total", type="text", outcome="replied") == 1
    assert delta(before, after, "fangfei_wechat_callbacks_total", type="text", outcome="duplicate") == 1
    assert delta(before, after, "fangfei_wechat_callbacks_total", type="unknown", outcome="rejected") == 1
    count = "fangfei_http_request_duration_seconds_count"
    assert delta(before, after, count, endpoint="wechat.callback", status="2xx") == 3
    bucket = "fangfei_http_request_duration_seconds_bucket"
    assert delta(before, after, bucket, endpoint="wechat.callback", status="2xx", le="+Inf") == 3


def test_a_submitted_paper_is_counted_once(app, campaign):
    wx = wechat_client(app, openid="o_resident_0001")
    before = scrape(app)
    register_by_chat(wx)
    for _ in range(8):
        wx.text(right_answer(app))
    assert "今日得分" in wx.history[-1].text or "分" in wx.history[-1].text
    after = scrape(app)
    assert delta(before, after, "fangfei_papers_submitted_total") == 1
    assert delta(before, after, "fangfei_wechat_callbacks_total", type="text", outcome="replied") == 6 + 8


def test_tips_received_forwarded_and_failed(make_app, smtp):
    from tests.tips.conftest import mail_settings

    app = make_app(**mail_settings(smtp))
    before = scrape(app)
    file_tip(app, openid="o_metrics_tip1")
    assert run_job(app, "deliver_outbox", deliver_outbox)
    middle = scrape(app)
    assert delta(before, middle, "fangfei_tips_received_total", channel="web") == 1
    assert delta(before, middle, "fangfei_tip_notices_total", channel="tip_email", outcome="forwarded") == 1
    assert delta(before, middle, "fangfei_job_runs_total", job="deliver_outbox", outcome="ok") == 1

    def refuse(msg) -> None:  # noqa: ANN001  (an SMTP server that always refuses)
        raise ConnectionRefusedError("smtp down")

    app.extensions["fangfei.senders"] = {"tip_email": refuse}
    file_tip(app, openid="o_metrics_tip2")
    with app.app_context():
        from sqlalchemy import update

        from app.extensions import db
        from app.models.outbox import OutboxMessage
        from app.services.outbox import MAX_ATTEMPTS

        db.session.execute(
            update(OutboxMessage).where(OutboxMessage.status == "pending").values(attempts=MAX_ATTEMPTS - 1)
        )
        db.session.commit()
    run_job(app, "deliver_outbox", deliver_outbox)
    after = scrape(app)
    assert delta(middle, after, "fangfei_tip_notices_total", channel="tip_email", outcome="failed") == 1
    assert delta(middle, after, "fangfei_tip_notices_total", channel="tip_email", outcome="retried") == 1


def test_job_failures_and_skips_are_counted(app):
    before = scrape(app)

    def broken(now):  # noqa: ANN001, ANN202
        raise RuntimeError("boom")

    try:
        run_job(app, "metrics_probe", broken)
    except RuntimeError:
        pass
    after = scrape(app)
    assert delta(before, after, "fangfei_job_runs_total", job="metrics_probe", outcome="failed") == 1


def test_exposition_names_every_family(app):
    text = app.test_client().get("/metrics").get_data(as_text=True)
    for name in (
        "fangfei_wechat_callbacks_total",
        "fangfei_http_request_duration_seconds",
        "fangfei_papers_submitted_total",
        "fangfei_tips_received_total",
        "fangfei_tip_notices_total",
        "fangfei_job_runs_total",
        "fangfei_requests_shed_total",
    ):
        assert re.search(rf"^# TYPE {name} ", text, re.M), name
