"""Daily publication: at the set time, immutable, caught up after downtime, once with two schedulers."""

from __future__ import annotations

import random
import threading
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select

from app import clock
from app.extensions import db
from app.jobs.leaderboards import publish_due
from app.jobs.runner import run_job
from app.models.leaderboard import Publication
from app.services import publications, standings
from tests.factories import make_participant
from tests.leaderboards.conftest import DAY1_EVENING, populate, submit_paper

DAY1 = date(2026, 6, 15)


def at_cst(day: date, hh: int, mm: int = 0) -> datetime:
    return clock.local_datetime(day, datetime.min.time().replace(hour=hh, minute=mm)).astimezone(UTC)


def test_nothing_before_publication_time(app, lb_campaign):
    populate(lb_campaign, n_people=10, days=1)
    assert publish_due(at_cst(DAY1 + timedelta(days=1), 9, 59)) == "published nothing due"
    assert "test:2026-06-15" in publish_due(at_cst(DAY1 + timedelta(days=1), 10, 0))


def test_snapshot_content_and_immutability(app, lb_campaign):
    populate(lb_campaign, n_people=30, days=2, seed=21)
    publish_due(at_cst(DAY1 + timedelta(days=1), 10, 0))
    daily = db.session.scalar(select(Publication).where(Publication.kind == "daily"))
    cumulative = db.session.scalar(select(Publication).where(Publication.kind == "cumulative"))
    expected = standings.team_standings_sql(lb_campaign, day=DAY1)[:10]
    assert [r["name"] for r in daily.rows] == [r.name for r in expected]
    assert len(daily.rows) == 10 and daily.rows[0]["rank"] == 1
    for key in ("score", "participants", "papers", "points", "average"):
        assert key in daily.rows[0]
    assert cumulative.as_of == at_cst(DAY1 + timedelta(days=1), 0, 0)  # up to the end of 6-15
    frozen = [dict(r) for r in cumulative.rows]
    # later papers do not change what was published, and publishing again is a no-op
    clock.freeze(DAY1_EVENING + timedelta(days=1, hours=1))
    populate(lb_campaign, n_people=5, days=1, seed=99, regions=["11"], prefix="o_late_")
    publications.publish_day(lb_campaign, DAY1, clock.now())
    db.session.commit()
    again = db.session.scalar(
        select(Publication).where(Publication.kind == "cumulative", Publication.day == DAY1)
    )
    assert again.rows == frozen


def test_missed_publications_are_made_when_service_returns(app, lb_campaign):
    populate(lb_campaign, n_people=10, days=3)
    result = publish_due(at_cst(DAY1 + timedelta(days=4), 8, 0))  # down for 3 days
    assert "2026-06-15" in result and "2026-06-16" in result and "2026-06-17" in result
    assert db.session.scalar(select(func.count()).select_from(Publication)) == 6


def test_manual_publish_is_idempotent(app, lb_campaign):
    populate(lb_campaign, n_people=8, days=1)
    run = lambda: app.test_cli_runner().invoke(args=["leaderboard", "publish", "--date", "2026-06-15"])  # noqa: E731
    first, second = run(), run()
    assert first.exit_code == 0 and second.exit_code == 0
    assert first.output == second.output
    assert db.session.scalar(select(func.count()).select_from(Publication)) == 2
    assert (
        "--date must look like"
        in app.test_cli_runner().invoke(args=["leaderboard", "publish", "--date", "June 15"]).output
    )


def test_two_schedulers_publish_exactly_once(app, lb_campaign):
    populate(lb_campaign, n_people=10, days=1)
    when = at_cst(DAY1 + timedelta(days=1), 10, 1)
    barrier = threading.Barrier(4, timeout=30)
    outcomes: list[bool] = []

    def scheduler() -> None:
        barrier.wait()
        outcomes.append(run_job(app, "publish_due", publish_due, now=when))

    threads = [threading.Thread(target=scheduler) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert db.session.scalar(select(func.count()).select_from(Publication)) == 2
    assert outcomes.count(True) >= 1


def test_final_results_frozen_at_the_end(app, lb_campaign):
    populate(lb_campaign, n_people=15, days=2)
    assert "final" not in publish_due(lb_campaign.ends_at - timedelta(minutes=1))
    result = publish_due(lb_campaign.ends_at + timedelta(minutes=1))
    assert "test:final" in result
    kinds = {p.kind for p in publications.published(lb_campaign)}
    assert {"final_teams", "final_individuals"} <= kinds
    final = next(p for p in publications.published(lb_campaign) if p.kind == "final_teams")
    assert sum(1 for r in final.rows if r["excellent"]) == 10


def test_results_export_has_full_phones_only_there(app, lb_campaign, tmp_path):
    import csv

    import openpyxl

    e = make_participant(lb_campaign, "o_winner", "冠军甲", "11", phone="13812345678")
    submit_paper(e, lb_campaign, DAY1_EVENING, random.Random(5), 60)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["results", "export", str(tmp_path / "x.xlsx")]).exit_code == 1  # not frozen
    clock.freeze(lb_campaign.ends_at + timedelta(hours=1))
    assert runner.invoke(args=["results", "freeze"]).exit_code == 0
    assert runner.invoke(args=["results", "export", str(tmp_path / "final.xlsx")]).exit_code == 0
    wb = openpyxl.load_workbook(tmp_path / "final.xlsx")
    assert wb.sheetnames == ["优秀战队", "个人排名"]
    people = list(wb["个人排名"].iter_rows(values_only=True))
    assert people[1][1] == "冠军甲" and people[1][5] == "13812345678"
    assert runner.invoke(args=["results", "export", str(tmp_path / "final.csv")]).exit_code == 0
    text = (tmp_path / "final.csv").read_text(encoding="utf-8-sig")
    assert "13812345678" in text and list(csv.reader(text.splitlines()))[0][0] == "名次"
    # the public API never shows the phone or the full name
    res = app.test_client().get("/api/v1/leaderboard/individuals")
    assert "13812345678" not in res.get_data(as_text=True) and "冠军甲" not in res.get_data(as_text=True)
    assert res.json["individuals"][0]["name"] == "冠*甲"
