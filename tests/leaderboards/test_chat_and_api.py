"""Where residents see the boards: 排行榜 in chat and the leaderboard API."""

from __future__ import annotations

from datetime import timedelta

from app import clock
from app.jobs.leaderboards import publish_due
from app.services import leaderboard_rebuild, leaderboards
from tests.leaderboards.conftest import populate
from tests.support.wechat import wechat_client


def test_chat_leaderboard_before_and_after_publication(app, lb_campaign):
    leaderboard_rebuild.rebuild(lb_campaign, clock.now())
    people = populate(lb_campaign, n_people=40, days=1, seed=2)
    ranked = set(leaderboards.ranking_order(lb_campaign))
    player = next(e for e in people if e.participant_id in ranked)
    wx = wechat_client(app, openid=player.participant.openid)
    live = wx.text("排行榜")
    assert "实时排名" in live and "1. " in live and "您的战队：" in live and "您的个人排名：第" in live
    publish_due(lb_campaign.starts_at + timedelta(days=1, hours=1))
    published = wx.text("排行榜")
    assert "前10名" in published and "公布" in published and "10. " in published
    assert len(published.encode()) <= 2000
    stranger = wechat_client(app, openid="o_stranger").text("排行榜")
    assert "回复“答题”报名参加" in stranger


def test_menu_click_and_synonyms(app, lb_campaign):
    populate(lb_campaign, n_people=5, days=1)
    wx = wechat_client(app, openid="o_someone")
    assert wx.click("LEADERBOARD") == wx.text("排名")


def test_api_boards(app, lb_campaign):
    leaderboard_rebuild.rebuild(lb_campaign, clock.now())
    people = populate(lb_campaign, n_people=20, days=1, seed=6)
    client = app.test_client()
    teams = client.get("/api/v1/leaderboard/teams").json
    assert teams["formula"] == "total" and len(teams["teams"]) == 32
    assert teams["teams"][0]["rank"] == 1 and "average" in teams["teams"][0]
    day = client.get("/api/v1/leaderboard/teams?day=2026-06-15").json
    assert day["teams"][0]["points"] > 0
    assert client.get("/api/v1/leaderboard/teams?day=bad").status_code == 400
    top = client.get("/api/v1/leaderboard/individuals?limit=5").json["individuals"]
    assert len(top) == 5 and all("*" in r["name"] for r in top)
    assert client.get("/api/v1/leaderboard/me").status_code == 401
    from app.web.api.auth import issue_token

    token = issue_token(people[0].participant.openid)
    res = client.get("/api/v1/leaderboard/me", headers={"Authorization": f"Bearer {token}"})
    assert res.status_code == 200, res.get_data(as_text=True)
    me = res.json
    assert me["teams_total"] == 32 and (me["me"] is None or me["me"]["rank"] >= 1)
    publish_due(lb_campaign.starts_at + timedelta(days=1, hours=1))
    pubs = client.get("/api/v1/leaderboard/published").json["publications"]
    assert {p["kind"] for p in pubs} == {"daily", "cumulative"}
