"""Tip triage rules (service layer): filters, workflow, assignment, notes, replies, flags, reminders."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from app import clock
from app.errors import DomainError
from app.extensions import db
from app.models.audit import AuditLog
from app.models.staff import Staff
from app.models.tip import Tip, TipEvent
from app.services import receipts, tip_triage
from app.services.tip_triage import TipFilter
from tests.admin.tipdata import make_tip

# 2026-06-15 is a Monday. 10:00 in Shanghai is 02:00 UTC.
MON = datetime(2026, 6, 15, 2, 0, tzinfo=UTC)


@pytest.fixture
def media(app, tmp_path):  # noqa: ANN001, ANN201
    app.config["MEDIA_DIR"] = str(tmp_path / "media")
    with app.app_context():
        yield


def _staff(username: str, role: str) -> None:
    db.session.add(Staff(username=username, password_hash="x", role=role, created_at=clock.now()))
    db.session.commit()


def test_deadline_counts_five_working_days_in_shanghai():
    assert tip_triage.ack_deadline(MON) == date(2026, 6, 22)  # Mon -> next Mon (Tue..Fri, Mon)
    fri_evening_local = datetime(2026, 6, 19, 15, 30, tzinfo=UTC)  # Fri 23:30 in Shanghai
    assert tip_triage.ack_deadline(fri_evening_local) == date(2026, 6, 26)
    sat_early_local = datetime(2026, 6, 19, 16, 30, tzinfo=UTC)  # already Sat 00:30 in Shanghai
    assert tip_triage.ack_deadline(sat_early_local) == date(2026, 6, 26)
    # Once the deadline day is over, the cutoff has passed the day of receipt.
    assert tip_triage.overdue_cutoff(datetime(2026, 6, 22, 15, 59, tzinfo=UTC)) <= MON  # Mon 23:59
    assert tip_triage.overdue_cutoff(datetime(2026, 6, 22, 16, 0, tzinfo=UTC)) > MON  # Tue 00:00


def test_reminder_lists_only_unacknowledged_tips_past_five_working_days(media):
    old = make_tip(created_at=MON)
    taken_up = make_tip(created_at=MON)
    fresh = make_tip(created_at=datetime(2026, 6, 17, 2, 0, tzinfo=UTC))  # Wednesday
    tip_triage.change_status(taken_up.receipt, "verifying", actor="wang", now=MON)
    db.session.commit()
    tuesday = datetime(2026, 6, 23, 1, 0, tzinfo=UTC)
    page = tip_triage.search_tips(TipFilter(overdue=True), tuesday)
    assert [t.receipt for t in page.items] == [old.receipt]
    assert tip_triage.overdue_count(tuesday) == 1
    # Friday 24th is not yet 5 full working days for Wednesday's tip; the next Thursday is.
    assert fresh.receipt not in [
        t.receipt for t in tip_triage.search_tips(TipFilter(overdue=True), tuesday).items
    ]
    thursday = datetime(2026, 6, 25, 1, 0, tzinfo=UTC)
    assert {t.receipt for t in tip_triage.search_tips(TipFilter(overdue=True), thursday).items} == {
        old.receipt,
        fresh.receipt,
    }


def test_filters_and_pagination(media):
    photo = make_tip(created_at=MON, category="app", photo=True)
    failed = make_tip(created_at=datetime(2026, 6, 16, 2, 0, tzinfo=UTC), failed_notice=True)
    plain = [make_tip(created_at=datetime(2026, 6, 18, 2, i, tzinfo=UTC)) for i in range(5)]
    now = datetime(2026, 6, 19, 2, 0, tzinfo=UTC)
    receipts_of = lambda f, **kw: [t.receipt for t in tip_triage.search_tips(f, now, **kw).items]  # noqa: E731
    assert receipts_of(TipFilter(has_photos=True)) == [photo.receipt]
    assert photo.receipt not in receipts_of(TipFilter(has_photos=False))
    assert receipts_of(TipFilter(category="app")) == [photo.receipt]
    assert receipts_of(TipFilter(delivery_failed=True)) == [failed.receipt]
    assert receipts_of(TipFilter(date_from=date(2026, 6, 16), date_to=date(2026, 6, 16))) == [failed.receipt]
    tip_triage.change_status(plain[0].receipt, "rejected", actor="wang", now=now)
    db.session.commit()
    assert receipts_of(TipFilter(status="rejected")) == [plain[0].receipt]
    first = tip_triage.search_tips(TipFilter(), now, page=1, per_page=3)
    second = tip_triage.search_tips(TipFilter(), now, page=3, per_page=3)
    assert first.total == 7 and first.pages == 3 and len(first.items) == 3
    assert [t.receipt for t in second.items] == [photo.receipt]  # newest first: the oldest is last
    assert tip_triage.search_tips(TipFilter(), now, page=99, per_page=3).page == 3


def test_workflow_refuses_skipping_steps_and_acknowledges(media):
    tip = make_tip(created_at=MON)
    with pytest.raises(DomainError, match="不能从“已受理”改为“已办结”"):
        tip_triage.change_status(tip.receipt, "closed", actor="wang", now=MON)
    tip_triage.change_status(tip.receipt, "verifying", actor="wang", now=MON, note="转经侦")
    tip_triage.change_status(tip.receipt, "closed", actor="wang", now=MON)
    db.session.commit()
    stored = db.session.get(Tip, tip.id)
    assert stored.status == "closed" and stored.acknowledged_at is not None and stored.closed_at is not None
    kinds = [e.kind for e in db.session.scalars(select(TipEvent).where(TipEvent.tip_id == tip.id))]
    assert kinds == ["submitted", "status", "status"]
    actions = db.session.scalars(select(AuditLog.action).where(AuditLog.target_id == tip.receipt)).all()
    assert actions.count("tip.status") == 2


def test_reply_shows_on_lookup_but_notes_do_not(media):
    tip = make_tip(created_at=MON)
    tip_triage.add_note(tip.receipt, "内部：嫌疑人王某", actor="wang", now=MON)
    tip_triage.set_reply(tip.receipt, "已转交有关部门核查，感谢您的举报。", actor="wang", now=MON)
    db.session.commit()
    from app import runtime

    found = receipts.look_up(tip.receipt, openid=None, ip=None, store=runtime.store())
    assert found.reply == "已转交有关部门核查，感谢您的举报。"
    assert "王某" not in repr(found)
    with pytest.raises(DomainError):
        tip_triage.add_note(tip.receipt, "   ", actor="wang", now=MON)


def test_assignment_only_to_handlers(media):
    _staff("officer-li", "tip_handler")
    _staff("analyst-zhao", "analyst")
    tip = make_tip(created_at=MON)
    assert tip_triage.handlers() == ["officer-li"]
    with pytest.raises(DomainError, match="不是可分配"):
        tip_triage.assign(tip.receipt, "analyst-zhao", actor="boss", now=MON)
    tip_triage.assign(tip.receipt, "officer-li", actor="boss", now=MON)
    db.session.commit()
    page = tip_triage.search_tips(TipFilter(assignee="officer-li"), MON)
    assert [t.receipt for t in page.items] == [tip.receipt]


def test_known_and_duplicate_flags(media):
    first, second = make_tip(created_at=MON), make_tip(created_at=MON)
    tip_triage.flag_known(first.receipt, True, actor="wang", now=MON)
    tip_triage.mark_duplicate(second.receipt, first.receipt.lower(), actor="wang", now=MON)
    db.session.commit()
    assert db.session.get(Tip, first.id).already_known is True
    assert db.session.get(Tip, second.id).duplicate_of_id == first.id
    with pytest.raises(DomainError, match="不能互相标记"):
        tip_triage.mark_duplicate(first.receipt, second.receipt, actor="wang", now=MON)
    with pytest.raises(DomainError, match="自身"):
        tip_triage.mark_duplicate(first.receipt, first.receipt, actor="wang", now=MON)
    tip_triage.mark_duplicate(second.receipt, "", actor="wang", now=MON)
    db.session.commit()
    assert db.session.get(Tip, second.id).duplicate_of_id is None
