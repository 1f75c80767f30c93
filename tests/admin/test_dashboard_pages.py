"""Overview, leaderboards, staff accounts and the audit log, against data written by the real services."""

from __future__ import annotations

import html
import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app import clock
from app.extensions import db
from app.models.audit import AuditLog
from app.models.paper import Paper, PaperItem
from app.models.staff import Staff
from app.services import dashboard_stats, leaderboard_rebuild, publications, standings
from tests.admin.conftest import csrf_token, login
from tests.factories import make_participant
from tests.leaderboards.conftest import DAY1_EVENING, populate, submit_paper


def charts_of(page: str) -> dict:
    raw = re.search(r"data-charts='([^']*)'", page).group(1)
    return json.loads(html.unescape(raw))


@pytest.mark.parametrize("redis_ready", [False, True], ids=["sql", "redis"])
def test_overview_figures_match_the_stored_papers(app, played, staff_client, redis_ready) -> None:  # noqa: ANN001
    campaign = played
    if redis_ready:
        leaderboard_rebuild.rebuild(campaign, clock.now())
        db.session.commit()
    counted = select(Paper).where(Paper.campaign_id == campaign.id, Paper.counted.is_(True)).subquery()
    people = db.session.scalar(select(func.count(func.distinct(counted.c.participant_id))))
    total_papers = db.session.scalar(select(func.count()).select_from(counted))
    today = clock.campaign_day(clock.now())
    today_people = db.session.scalar(
        select(func.count(func.distinct(counted.c.participant_id))).where(counted.c.day == today)
    )
    truth = standings.team_standings_sql(campaign)
    page = staff_client("analyst").get("/admin/").get_data(as_text=True)
    assert f'id="stat-total-participants">{people:,}<' in page
    assert f'id="stat-today-participants">{today_people:,}<' in page
    top10 = re.findall(
        r"<tr><td>(\d+)</td><td>([^<]+)</td>", page.split('id="top10"')[1].split("</table>")[0]
    )
    assert [name for _, name in top10] == [r.name for r in truth[:10]]
    charts = charts_of(page)
    assert [d["day"] for d in charts["byDay"]] == ["2026-06-15", "2026-06-16", "2026-06-17"]
    assert sum(d["papers"] for d in charts["byDay"]) == total_papers
    assert len(charts["byTeam"]) == 32 and sum(t["participants"] for t in charts["byTeam"]) == people
    assert sum(b["papers"] for b in charts["scores"]) == total_papers and len(charts["scores"]) == 10
    items = db.session.execute(
        select(PaperItem.qtype, func.count(), func.sum(PaperItem.awarded))
        .join(Paper, Paper.id == PaperItem.paper_id)
        .where(Paper.status == "submitted")
        .group_by(PaperItem.qtype)
    ).all()
    assert {a["qtype"]: a["items"] for a in charts["accuracy"]} == {q: n for q, n, _ in items}
    assert {a["label"] for a in charts["accuracy"]} == {"单选题", "多选题", "判断题"}


def test_cached_aggregates_are_served_from_the_store_and_refreshed_by_the_job(app, played) -> None:  # noqa: ANN001
    from app import runtime
    from app.jobs.dashboard import refresh_dashboard_stats

    store = runtime.store()
    first = dashboard_stats.cached(store, played, "score_distribution")
    enrollment = make_participant(played, openid="o_late", name="晚来", region="11")
    submit_paper(enrollment, played, clock.now(), __import__("random").Random(1))
    assert dashboard_stats.cached(store, played, "score_distribution") == first  # cached
    assert refresh_dashboard_stats(clock.now()).startswith(f"refreshed {played.slug}; ")
    after = dashboard_stats.cached(store, played, "score_distribution")
    assert sum(b["papers"] for b in after) == sum(b["papers"] for b in first) + 1


def test_team_board_daily_and_cumulative_with_formula(played, staff_client) -> None:  # noqa: ANN001
    client = staff_client("analyst")
    page = client.get("/admin/leaderboards/teams").get_data(as_text=True)
    assert "总积分（参与人数 × 人均得分）" in page and "累计排名" in page
    cumulative = standings.team_standings_sql(played)
    assert cumulative[0].name in page.split("累计排名")[1].split("</tr>")[1]
    day_page = client.get("/admin/leaderboards/teams?day=2026-06-16").get_data(as_text=True)
    daily = standings.team_standings_sql(played, day=clock.campaign_day(DAY1_EVENING) + timedelta(days=1))
    first_row = day_page.split("2026-06-16 当日排名")[1].split("</tr>")[1]
    assert daily[0].name in first_row and f"{daily[0].points:,}" in first_row
    assert client.get("/admin/leaderboards/teams?day=nonsense").status_code == 400


@pytest.mark.parametrize("redis_ready", [False, True], ids=["sql", "redis"])
def test_individual_search_by_name_phone_and_team(app, lb_campaign, staff_client, redis_ready) -> None:  # noqa: ANN001
    import random

    a = make_participant(lb_campaign, openid="o_a", name="欧阳明", region="11", phone="13812345678")
    b = make_participant(lb_campaign, openid="o_b", name="欧阳红", region="31")
    make_participant(lb_campaign, openid="o_c", name="李四", region="11")
    submit_paper(a, lb_campaign, DAY1_EVENING, random.Random(2))
    submit_paper(b, lb_campaign, DAY1_EVENING, random.Random(3))
    populate(lb_campaign, n_people=30, days=1)  # others around them on the board
    if redis_ready:
        leaderboard_rebuild.rebuild(lb_campaign, clock.now())
        db.session.commit()
    from app.services import leaderboards

    order = leaderboards.ranking_order(lb_campaign)
    client = staff_client("analyst")
    page = client.get("/admin/leaderboards/individuals?q=欧阳").get_data(as_text=True)
    assert "欧*明" in page and "欧*红" in page and "李*" not in page and "欧阳明" not in page
    page = client.get("/admin/leaderboards/individuals?q=138****5678").get_data(as_text=True)
    assert "欧*明" in page and "欧*红" not in page
    team_11 = next(t.id for t in lb_campaign.teams if t.code == "11")
    page = client.get(f"/admin/leaderboards/individuals?q=欧阳&team={team_11}").get_data(as_text=True)
    assert "欧*明" in page and "欧*红" not in page
    top = client.get(f"/admin/leaderboards/individuals?team={team_11}").get_data(as_text=True)
    assert "欧*明" in top and "欧*红" not in top
    # Ranks shown are overall ranks, in the rules' order.
    rank_a = order.index(a.participant_id) + 1
    assert f"<tr><td>{rank_a}</td><td>欧*明</td>" in top
    found = client.get("/admin/leaderboards/individuals?q=欧阳明").get_data(as_text=True)
    assert f"<tr><td>{rank_a}</td><td>欧*明</td>" in found
    team_rows = re.findall(r"<tr><td>(\d+)</td><td>[^<]*</td><td>([^<]*)</td>", top)
    assert team_rows and {t for _, t in team_rows} == {"北京市"}
    assert [int(r) for r, _ in team_rows] == sorted(int(r) for r, _ in team_rows)
    assert "没有找到" in client.get("/admin/leaderboards/individuals?q=王五").get_data(as_text=True)


def test_published_snapshots_and_final_results(app, played, staff_client) -> None:  # noqa: ANN001
    client = staff_client("analyst")
    assert "还没有公布过榜单" in client.get("/admin/leaderboards/daily").get_data(as_text=True)
    assert "自动冻结最终结果" in client.get("/admin/leaderboards/final").get_data(as_text=True)
    day1 = clock.campaign_day(DAY1_EVENING)
    daily, _ = publications.publish_day(played, day1, clock.now())
    end = played.ends_at + timedelta(hours=1)
    publications.freeze_final(played, end)
    db.session.commit()
    page = client.get("/admin/leaderboards/daily").get_data(as_text=True)
    assert "2026-06-15" in page and daily.rows[0]["name"] in page
    final = client.get("/admin/leaderboards/final").get_data(as_text=True)
    assert "优秀战队" in final and "个人最终排名" in final


def test_admin_manages_staff_accounts_and_every_change_is_audited(app, staff_client) -> None:  # noqa: ANN001
    admin = staff_client("admin", "boss")
    token = csrf_token(admin)
    response = admin.post(
        "/admin/staff",
        data={"username": "zhao", "password": "zhao-password-1", "role": "tip_handler", "csrf_token": token},
    )
    assert response.status_code == 302
    assert "已创建账号 zhao" in admin.get("/admin/staff").get_data(as_text=True)
    with app.app_context():
        zhao = db.session.scalar(select(Staff).where(Staff.username == "zhao"))
    bad = admin.post(
        "/admin/staff",
        data={"username": "zhao", "password": "zhao-password-1", "role": "admin", "csrf_token": token},
    )
    assert bad.status_code == 409 and "该用户名已存在" in bad.get_data(as_text=True)
    admin.post(f"/admin/staff/{zhao.id}/role", data={"role": "analyst", "csrf_token": token})
    admin.post(f"/admin/staff/{zhao.id}/active", data={"active": "0", "csrf_token": token})
    assert login(app.test_client(), "zhao", "zhao-password-1").status_code == 200  # disabled: form again
    with app.app_context():
        boss = db.session.scalar(select(Staff).where(Staff.username == "boss"))
    last = admin.post(f"/admin/staff/{boss.id}/active", data={"active": "0", "csrf_token": token})
    assert last.status_code == 400 and "不能停用最后一个管理员" in last.get_data(as_text=True)
    with app.app_context():
        trail = [(a.actor, a.action) for a in db.session.scalars(select(AuditLog).order_by(AuditLog.id))]
    assert ("boss", "staff.create") in trail and ("boss", "staff.role") in trail
    assert ("boss", "staff.disable") in trail and ("boss", "staff.login") in trail
    log_page = admin.get("/admin/audit?action=staff.").get_data(as_text=True)
    assert "staff.disable" in log_page and "staff.role" in log_page
    only_role = admin.get("/admin/audit?action=staff.role").get_data(as_text=True)
    assert "staff.role" in only_role and "staff.disable" not in only_role


def test_audit_log_pages_by_id(app, staff_client) -> None:  # noqa: ANN001
    from app.services import audit

    admin = staff_client("admin")
    with app.app_context():
        for i in range(130):
            audit.record("tester", "tip.view", "tip", f"R{i:04d}", now=clock.now())
        db.session.commit()
    first = admin.get("/admin/audit?actor=tester").get_data(as_text=True)
    assert "R0129" in first and "R0029" not in first and "更早的记录" in first
    before = re.search(r"before=(\d+)", first).group(1)
    second = admin.get(f"/admin/audit?actor=tester&before={before}").get_data(as_text=True)
    assert "R0029" in second and "R0129" not in second and "更早的记录" not in second


def test_dashboard_works_on_the_embedded_sqlite_deployment(embedded_app) -> None:  # noqa: ANN001
    """`make run` (SQLite, no Redis): login throttling and the cached aggregates use the database store."""
    from tests.admin.conftest import login_as
    from tests.factories import load_bundled_bank, make_campaign

    with embedded_app.app_context():
        load_bundled_bank()
        campaign = make_campaign()
        clock.freeze(DAY1_EVENING)
        populate(campaign, n_people=8, days=1)
    client = login_as(embedded_app, embedded_app.test_client(), "analyst")
    page = client.get("/admin/").get_data(as_text=True)
    charts = charts_of(page)
    assert sum(b["papers"] for b in charts["scores"]) == sum(d["papers"] for d in charts["byDay"]) > 0
    for url in ("/admin/leaderboards/teams", "/admin/leaderboards/individuals", "/admin/leaderboards/daily"):
        assert client.get(url).status_code == 200, url
