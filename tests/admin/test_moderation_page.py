"""Anti-cheat review on the dashboard: a too-fast paper is accepted (it joins the rankings) or rejected, a
resident is excluded and included again; a reason is required and every decision is audit-logged."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app import clock
from app.extensions import db
from app.models.audit import AuditLog
from app.models.paper import Paper
from app.models.participant import Participant
from app.services import leaderboards
from tests.admin.conftest import csrf_token
from tests.factories import make_participant
from tests.leaderboards.conftest import DAY1_EVENING


def _too_fast_paper(app, campaign, openid: str) -> int:  # noqa: ANN001
    from app.services import papers

    with app.app_context():
        enrollment = make_participant(campaign, openid=openid, name="钱多多", region="11")
        paper = papers.todays_paper(enrollment, campaign, DAY1_EVENING)
        for item in paper.items:
            item.given, item.awarded = item.answer_key, item.points
        papers.submit(paper, DAY1_EVENING + timedelta(seconds=2), 20)  # 2 s for eight questions
        db.session.commit()
        assert paper.flagged == "too_fast"
        return paper.id


def _audit(app, action: str) -> list[AuditLog]:  # noqa: ANN001
    with app.app_context():
        return list(db.session.scalars(select(AuditLog).where(AuditLog.action == action)))


def test_flagged_paper_is_listed_and_accepted_with_a_reason(app, lb_campaign, staff_client) -> None:  # noqa: ANN001
    clock.freeze(DAY1_EVENING)
    paper_id = _too_fast_paper(app, lb_campaign, "o_fast_1")
    client = staff_client("admin")
    page = client.get("/admin/moderation").get_data(as_text=True)
    assert f"<td>{paper_id}</td>" in page and "钱*多" in page and "钱多多" not in page

    token = csrf_token(client)
    refused = client.post(
        f"/admin/moderation/papers/{paper_id}",
        data={"decision": "accept", "reason": " ", "csrf_token": token},
    )
    assert refused.status_code == 302
    with app.app_context():
        assert db.session.get(Paper, paper_id).flagged == "too_fast"  # no reason: nothing changed
    ok = client.post(
        f"/admin/moderation/papers/{paper_id}",
        data={"decision": "accept", "reason": "现场核实", "csrf_token": token},
    )
    assert ok.status_code == 302
    with app.app_context():
        assert db.session.get(Paper, paper_id).flagged is None
        participant_id = db.session.get(Paper, paper_id).participant_id
        mine = leaderboards.my_rank(lb_campaign, db.session.get(Participant, participant_id))
        assert mine is not None and mine.rank == 1  # now on the board
    assert [a.detail for a in _audit(app, "paper.flag_accept")] == ["现场核实"]
    assert f"<td>{paper_id}</td>" not in client.get("/admin/moderation").get_data(as_text=True)


def test_exclude_and_include_a_resident_from_the_page(app, lb_campaign, staff_client) -> None:  # noqa: ANN001
    clock.freeze(DAY1_EVENING)
    with app.app_context():
        make_participant(lb_campaign, openid="o_cheat", name="赵刷分", region="11")
        pid = db.session.scalar(select(Participant.id).where(Participant.openid == "o_cheat"))
    client = staff_client("admin")
    token = csrf_token(client)
    client.post(
        "/admin/moderation/participants",
        data={"participant": "o_cheat", "action": "exclude", "reason": "脚本刷题", "csrf_token": token},
    )
    with app.app_context():
        assert db.session.get(Participant, pid).excluded is True
    assert "赵*分" in client.get("/admin/moderation").get_data(as_text=True)
    client.post(
        "/admin/moderation/participants",
        data={"participant": str(pid), "action": "include", "reason": "申诉成立", "csrf_token": token},
    )
    with app.app_context():
        assert db.session.get(Participant, pid).excluded is False
    assert [a.detail for a in _audit(app, "participant.exclude")] == ["脚本刷题"]
    assert [a.detail for a in _audit(app, "participant.include")] == ["申诉成立"]
    missing = client.post(
        "/admin/moderation/participants",
        data={"participant": "nobody", "action": "exclude", "reason": "x", "csrf_token": token},
        follow_redirects=True,
    )
    assert "没有找到这位参与者" in missing.get_data(as_text=True)


def test_analysts_and_tip_handlers_cannot_moderate(app, staff_client) -> None:  # noqa: ANN001
    for role in ("analyst", "tip_handler"):
        assert staff_client(role).get("/admin/moderation").status_code == 403
