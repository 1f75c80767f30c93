"""The two-statement submission (app.services.paper_submit_sql) under the races it must survive, made
deterministic: another device answers or submits between the submission's read and its write."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, text

from app import clock
from app.extensions import db
from app.models.campaign import Campaign
from app.models.paper import Paper
from app.services import leaderboard_rebuild, leaderboards, paper_submit_sql
from tests.api.helpers import option_count, resident, wrong
from tests.api.test_papers import planned_answers, stored


def between_read_and_write(monkeypatch: pytest.MonkeyPatch, action) -> list[int]:  # noqa: ANN001
    """Run `action()` once, right after the submission has read the paper (before it writes)."""
    checked, calls = paper_submit_sql.checked_answers, []

    def checked_then_act(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        result = checked(*args, **kwargs)
        calls.append(1)
        if len(calls) == 1:
            action()
        return result

    monkeypatch.setattr(paper_submit_sql, "checked_answers", checked_then_act)
    return calls


def answer_elsewhere(app, paper_id: int, position: int, given: str, awarded: int) -> None:
    """What the chat's conditional UPDATE does (app.services.paper_answers.record), committed at once."""
    with app.app_context(), db.engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE paper_items SET given = :given, awarded = :awarded, answered_at = :now "
                "WHERE paper_id = :paper AND position = :position AND given IS NULL"
            ),
            {"given": given, "awarded": awarded, "now": clock.now(), "paper": paper_id, "position": position},
        )


def item(app, paper_id: int, position: int):  # noqa: ANN201
    return next(i for i in stored(app, paper_id).items if i.position == position)


def warm(app) -> None:
    with app.app_context():
        leaderboard_rebuild.rebuild(db.session.scalar(select(Campaign)), clock.now())
        db.session.commit()


def test_an_answer_from_another_device_meanwhile_is_kept_and_counted(app, emu, campaign, monkeypatch):
    warm(app)
    api = resident(app, emu)
    paper = api.get("/papers/today").body
    answers, expected = planned_answers(app, paper)
    clock.freeze(clock.now() + timedelta(minutes=3))
    first = item(app, paper["id"], 1)  # the same answer as the submission's, from the chat
    calls = between_read_and_write(
        monkeypatch, lambda: answer_elsewhere(app, paper["id"], 1, first.answer_key, first.points)
    )
    res = api.post(f"/papers/{paper['id']}/submit", {"answers": answers})
    assert len(calls) == 2  # the first write saw the item taken, rolled back and read again
    assert res.status == 200 and res.body["already_submitted"] is False
    winner = stored(app, paper["id"])
    assert winner.status == "submitted" and winner.score == sum(i.awarded or 0 for i in winner.items)
    assert res.body["score"] == winner.score == expected
    with app.app_context():
        c = db.session.scalar(select(Campaign))
        assert sum(t.papers for t in leaderboards.team_board(c)) == 1  # mirrored once
        assert leaderboards.apply_paper(paper["id"]) == 0
    assert sum(1 for i in winner.items if i.given is not None) == 8


def test_a_different_answer_from_another_device_meanwhile_is_409(app, emu, campaign, monkeypatch):
    api = resident(app, emu)
    paper = api.get("/papers/today").body
    answers, _ = planned_answers(app, paper)
    clock.freeze(clock.now() + timedelta(minutes=3))
    first = item(app, paper["id"], 1)
    other = wrong(answers["1"], "single", option_count(paper, 1))  # in letters shown; stored in bank keys
    assert other != answers["1"]
    with app.app_context():
        from app.services import paper_submit

        row = stored(app, paper["id"])
        q = paper_submit.questions_of(row.items)
        stored_other = paper_submit.to_bank_keys(q[first.question_id], first, other)
    between_read_and_write(monkeypatch, lambda: answer_elsewhere(app, paper["id"], 1, stored_other, 0))
    res = api.post(f"/papers/{paper['id']}/submit", {"answers": answers})
    assert res.status == 409 and res.body["error"] == "already_answered"
    after = stored(app, paper["id"])
    assert after.status == "open" and after.score is None  # the claim was rolled back
    assert [i.given is not None for i in after.items] == [True] + [False] * 7


def test_a_submission_from_another_device_meanwhile_wins_once(app, emu, campaign, monkeypatch):
    warm(app)
    api = resident(app, emu)
    paper = api.get("/papers/today").body
    answers, expected = planned_answers(app, paper)
    clock.freeze(clock.now() + timedelta(minutes=3))
    url = f"/papers/{paper['id']}/submit"
    inner = []
    between_read_and_write(monkeypatch, lambda: inner.append(api.post(url, {"answers": answers})))
    res = api.post(url, {"answers": answers})
    assert inner[0].status == 200 and inner[0].body["already_submitted"] is False
    assert res.status == 200 and res.body["already_submitted"] is True  # it found the paper submitted
    assert {**res.body, "already_submitted": False} == inner[0].body
    assert stored(app, paper["id"]).score == expected
    with app.app_context():
        c = db.session.scalar(select(Campaign))
        assert sum(t.papers for t in leaderboards.team_board(c)) == 1


def test_a_different_submission_from_another_device_meanwhile_is_409(app, emu, campaign, monkeypatch):
    api = resident(app, emu)
    paper = api.get("/papers/today").body
    answers, expected = planned_answers(app, paper)
    changed = {**answers, "4": "错" if answers["4"] == "对" else "对"}
    clock.freeze(clock.now() + timedelta(minutes=3))
    url = f"/papers/{paper['id']}/submit"
    inner = []
    between_read_and_write(monkeypatch, lambda: inner.append(api.post(url, {"answers": answers})))
    res = api.post(url, {"answers": changed})
    assert inner[0].status == 200 and stored(app, paper["id"]).score == expected
    assert (
        res.status == 409 and res.body["error"] == "already_submitted" and "已经交卷" in res.body["message"]
    )


def test_the_result_is_the_same_as_the_stored_papers(app, emu, campaign):
    """The submission renders from the rows it read and wrote; the detail page from the ORM: no difference."""
    api = resident(app, emu)
    paper = api.get("/papers/today").body
    answers, expected = planned_answers(app, paper)
    del answers["5"]  # one left unanswered: scores 0, shown as not answered
    clock.freeze(clock.now() + timedelta(minutes=3))
    res = api.post(f"/papers/{paper['id']}/submit", {"answers": answers})
    assert res.status == 200
    detail = api.get(f"/papers/{paper['id']}").body
    assert res.body == detail
    assert res.body["items"][4]["answered"] is False and res.body["items"][4]["awarded"] == 0
    with app.app_context():
        row = db.session.get(Paper, paper["id"])
        assert row.items[4].awarded == 0 and row.items[4].answered_at is None
        assert all(i.answered_at == clock.now() for i in row.items if i.given is not None)
        assert row.submitted_at == clock.now() and row.time_used_ms == 180_000 and row.counted
        assert row.day_bit == 2  # the campaign's second day


def test_cumulative_score_and_too_fast_through_the_submission(app, emu, campaign):
    """The claim's `counted` and the other counted papers' total make the cumulative score; a paper
    submitted faster than the campaign allows is flagged and waits for review (not mirrored)."""
    warm(app)
    api = resident(app, emu)
    day1 = api.get("/papers/today").body
    answers1, expected1 = planned_answers(app, day1)
    clock.freeze(clock.now() + timedelta(minutes=3))
    assert (
        api.post(f"/papers/{day1['id']}/submit", {"answers": answers1}).body["cumulative_score"] == expected1
    )
    clock.freeze(clock.now() + timedelta(days=1))
    day2 = api.get("/papers/today").body
    answers2, expected2 = planned_answers(app, day2, [True] * 8)
    clock.freeze(clock.now() + timedelta(seconds=5))  # under min_seconds_per_paper
    res = api.post(f"/papers/{day2['id']}/submit", {"answers": answers2})
    assert res.status == 200 and res.body["cumulative_score"] == expected1 + expected2
    assert api.get("/me/results").body["cumulative_score"] == expected1 + expected2
    with app.app_context():
        row = db.session.get(Paper, day2["id"])
        assert row.flagged == "too_fast" and row.counted and row.day_bit == 4
        c = db.session.scalar(select(Campaign))
        assert sum(t.points for t in leaderboards.team_board(c)) == expected1  # the flagged one waits
