"""Today's paper, answering, submitting and results through the API; scored only on the server."""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import select

from app import clock
from app.extensions import db
from app.models.paper import Paper
from app.services import bank
from tests.api.conftest import TIME_LIMIT
from tests.api.helpers import key_for, option_count, resident, wrong

PLAN = [True, False, True, True, False, True, True, False]


def planned_answers(app, paper: dict, plan=PLAN) -> tuple[dict[str, str], int]:
    """Answers right or wrong as planned, and the score computed from the bank's own key."""
    key = key_for(app, paper["id"])
    answers, expected = {}, 0
    for position, right_wanted in enumerate(plan, start=1):
        right, qtype, points = key[position]
        answers[str(position)] = right if right_wanted else wrong(right, qtype, option_count(paper, position))
        expected += points if answers[str(position)] == right else 0
    return answers, expected


def stored(app, paper_id: int) -> Paper:
    with app.app_context():
        paper = db.session.get(Paper, paper_id)
        paper.items  # noqa: B018 (load before the session closes)
        db.session.expunge(paper)
        return paper


def test_todays_paper_is_the_same_on_every_request(app, emu, campaign):
    api = resident(app, emu)
    first = api.get("/papers/today")
    assert first.status == 200
    paper = first.body
    assert paper["status"] == "open" and paper["day"] == "2026-06-16" and paper["total"] == 8
    assert [(i["type"], i["points"]) for i in paper["items"]] == [("single", 10)] * 3 + [
        ("judge", 10)
    ] * 3 + [("multiple", 20)] * 2
    assert paper["items"][0]["options"][0]["key"] == "A" and paper["items"][0]["type_label"] == "单选"
    assert [o["key"] for o in paper["items"][3]["options"]] == ["对", "错"]
    clock.freeze(clock.now() + timedelta(hours=2))
    assert api.get("/papers/today").body == paper
    assert api.get(f"/papers/{paper['id']}").body == paper
    with app.app_context():
        assert len(db.session.scalars(select(Paper)).all()) == 1


def test_submitting_the_whole_paper_scores_exactly_the_key(app, emu, campaign):
    api = resident(app, emu)
    paper = api.get("/papers/today").body
    answers, expected = planned_answers(app, paper)
    answers = {k: (v.lower() if int(k) % 2 else v) for k, v in answers.items()}  # typed loosely on a phone
    clock.freeze(clock.now() + timedelta(minutes=3))
    res = api.post(f"/papers/{paper['id']}/submit", {"answers": answers})
    assert res.status == 200, res.text
    result = res.body
    assert result["score"] == expected and result["max_score"] == 100
    assert result["time_used_ms"] == 180_000 and result["already_submitted"] is False
    assert result["cumulative_score"] == expected
    key = key_for(app, paper["id"])
    for item, right_wanted in zip(result["items"], PLAN, strict=True):
        assert item["correct_answer"] == key[item["position"]][0]
        assert item["correct"] is right_wanted
        assert item["awarded"] == (item["points"] if right_wanted else 0)
        assert item["given"] == answers[str(item["position"])].upper()
        q = bank_question(app, paper["id"], item["position"])
        assert item["explanation"] == q.explanation and item["source"] == q.source_label
    assert stored(app, paper["id"]).score == expected


def bank_question(app, paper_id: int, position: int):
    with app.app_context():
        item = next(i for i in db.session.get(Paper, paper_id).items if i.position == position)
        return bank.get_question(item.question_id)


def test_answering_one_at_a_time_then_submitting(app, emu, campaign):
    api = resident(app, emu)
    paper = api.get("/papers/today").body
    answers, expected = planned_answers(app, paper)
    url = f"/papers/{paper['id']}/answers"
    for n, (position, answer) in enumerate(answers.items(), start=1):
        res = api.post(url, {"position": int(position), "answer": answer})
        assert res.status == 200 and res.body == {
            "position": int(position),
            "recorded": True,
            "answered_count": n,
        }
    again = api.post(url, {"position": 1, "answer": answers["1"]})
    assert again.status == 200 and again.body["answered_count"] == 8
    other = wrong(answers["1"], "single", option_count(paper, 1))
    res = api.post(url, {"position": 1, "answer": other})
    assert res.status == 409 and res.body["error"] == "already_answered"
    resumed = api.get("/papers/today").body
    assert resumed["answered_count"] == 8 and resumed["items"][0]["given"] == answers["1"]
    res = api.post(f"/papers/{paper['id']}/submit")
    assert res.status == 200 and res.body["score"] == expected
    late = api.post(url, {"position": 2, "answer": answers["2"]})
    assert late.status == 409 and late.body["error"] == "already_submitted"


def test_multiple_choice_as_a_list_and_unanswered_questions_score_zero(app, emu, campaign):
    api = resident(app, emu)
    paper = api.get("/papers/today").body
    key = key_for(app, paper["id"])
    res = api.post(f"/papers/{paper['id']}/answers", {"position": 7, "answer": list(key[7][0])})
    assert res.status == 200
    result = api.post(f"/papers/{paper['id']}/submit", {"answers": {"8": key[8][0]}}).body
    assert result["score"] == 40
    assert [i["given"] for i in result["items"]][:6] == [None] * 6


def test_invalid_answers_are_400_with_hints_and_nothing_is_recorded(app, emu, campaign):
    api = resident(app, emu)
    paper = api.get("/papers/today").body
    answers, _ = planned_answers(app, paper)
    res = api.post(f"/papers/{paper['id']}/submit", {"answers": {**answers, "1": "AB", "4": "也许"}})
    assert res.status == 400 and res.body["error"] == "invalid_answer"
    assert "只能选一个" in res.body["errors"]["1"] and "对" in res.body["errors"]["4"]
    assert "第1题" in res.body["message"]
    res = api.post(f"/papers/{paper['id']}/answers", {"position": 1, "answer": "Z"})
    assert res.status == 400 and res.body["error"] == "invalid_answer" and "选项只有" in res.body["message"]
    for bad in ({"position": "1", "answer": "A"}, {"position": 1}, {"position": 1, "answer": ""}):
        assert api.post(f"/papers/{paper['id']}/answers", bad).status == 400, bad
    for bad in ({"answers": ["A"]}, {"answers": {"1": 5}}):
        assert api.post(f"/papers/{paper['id']}/submit", bad).status == 400, bad
    assert all(i.given is None for i in stored(app, paper["id"]).items)
    assert stored(app, paper["id"]).status == "open"


def test_a_question_not_on_the_paper_is_refused(app, emu, campaign):
    api = resident(app, emu)
    paper = api.get("/papers/today").body
    answers, _ = planned_answers(app, paper)
    for extra in ({"9": "A"}, {"0": "A"}, {"x": "A"}):
        res = api.post(f"/papers/{paper['id']}/submit", {"answers": {**answers, **extra}})
        assert (
            res.status == 400
            and res.body["error"] == "not_on_paper"
            and "不在您的试卷上" in res.body["message"]
        )
    res = api.post(f"/papers/{paper['id']}/answers", {"position": 9, "answer": "A"})
    assert res.status == 400 and res.body["error"] == "not_on_paper"
    assert all(i.given is None for i in stored(app, paper["id"]).items)


def test_repeating_a_submission_is_idempotent_and_a_different_one_is_409(app, emu, campaign):
    api = resident(app, emu)
    paper = api.get("/papers/today").body
    answers, expected = planned_answers(app, paper)
    url = f"/papers/{paper['id']}/submit"
    first = api.post(url, {"answers": answers})
    clock.freeze(clock.now() + timedelta(minutes=5))
    again = api.post(url, {"answers": answers})
    assert again.status == 200 and again.body["already_submitted"] is True
    assert {**again.body, "already_submitted": False} == first.body
    assert api.post(url, {"answers": {}}).status == 200  # nothing new: the same submission
    changed = {**answers, "4": "错" if answers["4"] == "对" else "对"}
    res = api.post(url, {"answers": changed})
    assert (
        res.status == 409 and res.body["error"] == "already_submitted" and "已经交卷" in res.body["message"]
    )
    assert stored(app, paper["id"]).score == expected
    done = api.get("/papers/today")
    assert done.status == 409 and done.body["error"] == "done_today" and done.body["paper_id"] == paper["id"]


def test_another_residents_paper_is_404(app, emu, campaign):
    alice, bob = resident(app, emu, "o_alice"), resident(app, emu, "o_bob", name="李四")
    paper = alice.get("/papers/today").body
    answers, _ = planned_answers(app, paper)
    for res in (
        bob.get(f"/papers/{paper['id']}"),
        bob.post(f"/papers/{paper['id']}/answers", {"position": 1, "answer": answers["1"]}),
        bob.post(f"/papers/{paper['id']}/submit", {"answers": answers}),
        bob.get("/papers/99999"),
    ):
        assert res.status == 404 and res.body["error"] == "paper_not_found"
    assert stored(app, paper["id"]).status == "open"
    assert all(i.given is None for i in stored(app, paper["id"]).items)


def test_a_paper_past_its_time_limit_is_refused(app, emu, timed_campaign):
    api = resident(app, emu)
    paper = api.get("/papers/today").body
    assert paper["deadline"] is not None
    answers, _ = planned_answers(app, paper)
    clock.freeze(clock.now() + timedelta(seconds=TIME_LIMIT - 30))
    assert api.post(f"/papers/{paper['id']}/answers", {"position": 1, "answer": answers["1"]}).status == 200
    clock.freeze(clock.now() + timedelta(seconds=60))
    res = api.post(f"/papers/{paper['id']}/submit", {"answers": answers})
    assert res.status == 400 and res.body["error"] == "time_over" and "时间已到" in res.body["message"]
    res = api.post(f"/papers/{paper['id']}/answers", {"position": 2, "answer": answers["2"]})
    assert res.status == 400 and res.body["error"] == "time_over"
    assert stored(app, paper["id"]).status == "open" and stored(app, paper["id"]).score is None
    assert api.get("/me/results").body["today"] == {
        "status": "expired",
        "score": None,
        "paper_id": paper["id"],
    }
    res = api.get("/papers/today")
    assert res.status == 409 and res.body["error"] == "done_today"
    assert stored(app, paper["id"]).status == "expired"
    assert "correct_answer" not in api.get(f"/papers/{paper['id']}").text  # never revealed unsubmitted


def test_in_time_submission_on_a_timed_campaign(app, emu, timed_campaign):
    api = resident(app, emu)
    paper = api.get("/papers/today").body
    answers, expected = planned_answers(app, paper)
    clock.freeze(clock.now() + timedelta(seconds=TIME_LIMIT))
    assert api.post(f"/papers/{paper['id']}/submit", {"answers": answers}).body["score"] == expected


def test_results_and_history_with_explanations_after_submission(app, emu, campaign):
    api = resident(app, emu)
    assert api.get("/me/results").body["today"] == {"status": "none", "score": None, "paper_id": None}
    day1 = api.get("/papers/today").body
    results = api.get("/me/results").body
    assert results["today"]["status"] == "open" and results["papers"][0]["score"] is None
    answers, expected1 = planned_answers(app, day1)
    clock.freeze(clock.now() + timedelta(minutes=2))
    api.post(f"/papers/{day1['id']}/submit", {"answers": answers})
    clock.freeze(clock.now() + timedelta(days=1))
    day2 = api.get("/papers/today").body
    assert day2["id"] != day1["id"] and day2["day"] == "2026-06-17"
    assert not {i["stem"] for i in day1["items"]} & {i["stem"] for i in day2["items"]}
    answers2, expected2 = planned_answers(app, day2, [True] * 8)
    api.post(f"/papers/{day2['id']}/submit", {"answers": answers2})
    results = api.get("/me/results").body
    assert results["cumulative_score"] == expected1 + expected2 == expected1 + 100
    assert results["days_played"] == 2 and results["team"] == {"code": "11", "name": "北京市"}
    assert results["today"] == {"status": "submitted", "score": 100, "paper_id": day2["id"]}
    assert [(p["id"], p["score"]) for p in results["papers"]] == [(day2["id"], 100), (day1["id"], expected1)]
    assert results["papers"][1]["time_used_ms"] == 120_000
    detail = api.get(f"/papers/{day1['id']}").body
    assert detail["status"] == "submitted" and detail["score"] == expected1
    assert all(i["explanation"] and i["source"] and i["correct_answer"] for i in detail["items"])


def test_answering_after_the_campaign_ended(app, emu, campaign):
    api = resident(app, emu)
    paper = api.get("/papers/today").body
    answers, _ = planned_answers(app, paper)
    clock.freeze(campaign.ends_at + timedelta(minutes=1))
    res = api.post(f"/papers/{paper['id']}/submit", {"answers": answers})
    assert res.status == 400 and res.body["error"] == "ended" and "已结束" in res.body["message"]
    assert api.get("/papers/today").body["error"] == "ended"
    assert api.get("/campaign").body["status"] == "ended"


def test_two_devices_submitting_at_once(app, emu, campaign):
    """The same resident on two phones: one submission wins, the other sees it (same) or is refused."""
    api = resident(app, emu)
    paper = api.get("/papers/today").body
    answers, expected = planned_answers(app, paper)
    changed = {**answers, "4": "错" if answers["4"] == "对" else "对"}
    outcomes = []

    def send(body: dict) -> None:
        outcomes.append(api.post(f"/papers/{paper['id']}/submit", {"answers": body}))

    threads = [threading.Thread(target=send, args=(body,)) for body in (answers, answers, changed)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    statuses = sorted(o.status for o in outcomes)
    winner = stored(app, paper["id"])
    assert winner.status == "submitted"
    if statuses == [200, 200, 409]:  # the two identical submissions: one won, the other repeated it
        assert winner.score == expected
    else:
        assert statuses == [200, 409, 409] and winner.score == expected - 10  # the changed judge answer won
    assert {o.body["score"] for o in outcomes if o.status == 200} == {winner.score}
    assert sum(1 for o in outcomes if o.status == 200 and not o.body["already_submitted"]) == 1
    assert all(o.body["error"] == "already_submitted" for o in outcomes if o.status == 409)
    assert sum(i.awarded or 0 for i in winner.items) == winner.score  # items and total from one submission
