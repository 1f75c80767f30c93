"""Registration and my profile through the API: consent first, validated fields, regions by code or name."""

from __future__ import annotations

from sqlalchemy import func, select

from app import personal_data
from app.extensions import db
from app.models.participant import Enrollment, Participant
from tests.api.helpers import REGISTRATION, Api, resident


def count_participants(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Participant))


def test_public_campaign_teams_and_privacy(app, campaign):
    api = Api(app)
    info = api.get("/campaign").body
    assert info["status"] == "open" and info["today"] == "2026-06-16"
    assert info["window_text"] == "6月15日10:00至6月25日24:00"
    assert info["rules"]["questions_per_paper"] == 8 and info["rules"]["total_points"] == 100
    teams = api.get("/teams").body["teams"]
    assert len(teams) == 32 and teams[0] == {"code": "11", "name": "北京市", "aliases": ["北京", "京"]}
    privacy = api.get("/privacy").body
    assert privacy["version"] and "手机号加密保存" in privacy["text"] and "我同意" in privacy["text"]


def test_nothing_is_stored_without_consent(app, emu, campaign):
    api = resident(app, emu, register=False)
    for consent in (None, False, "true", 1):
        body = {**REGISTRATION, "consent": consent}
        res = api.post("/register", body)
        assert res.status == 400 and res.body["error"] == "consent_required", consent
        assert "同意" in res.body["message"]
    assert count_participants(app) == 0
    assert api.get("/me").body["registered"] is False


def test_bad_name_phone_and_unit_are_refused(app, emu, campaign):
    api = resident(app, emu, register=False)
    cases = [
        ({"name": "张"}, "bad_name", "2到20个字"),
        ({"name": "<script>"}, "bad_name", "汉字或字母"),
        ({"name": None}, "bad_name", "2到20个字"),
        ({"name": ["张三"]}, "bad_request", "请求格式"),
        ({"phone": "12345"}, "bad_phone", "手机号格式不对"),
        ({"work_unit": "单" * 61}, "bad_unit", "60个字"),
    ]
    for change, error, text in cases:
        res = api.post("/register", {**REGISTRATION, **change})
        assert (res.status, res.body["error"]) == (400, error), change
        assert text in res.body["message"]
    assert api.post("/register", "not an object").body["error"] == "bad_request"
    assert count_participants(app) == 0


def test_region_by_code_name_or_alias_and_ambiguous_names(app, emu, campaign):
    api = resident(app, emu, register=False)
    res = api.post("/register", {**REGISTRATION, "region": "江"})
    assert res.status == 400 and res.body["error"] == "region_ambiguous"
    names = {c["name"] for c in res.body["candidates"]}
    assert {"江苏省", "江西省", "黑龙江省"} <= names
    assert all(set(c) == {"code", "name"} for c in res.body["candidates"])
    for region, error in (("火星", "region_not_found"), ("4", "region_not_found"), ("", "region_required")):
        assert api.post("/register", {**REGISTRATION, "region": region}).body["error"] == error
    assert count_participants(app) == 0
    for region, name in (
        ("36", "江西省"),
        ("江西", "江西省"),
        ("京", "北京市"),
        ("XJBT", "新疆生产建设兵团"),
    ):
        res = api.post("/register", {**REGISTRATION, "region": region})
        assert res.status in (200, 201) and res.body["team"]["name"] == name, region


def test_registration_encrypts_the_phone_and_shows_it_masked(app, emu, campaign):
    api = resident(app, emu, register=False)
    res = api.post("/register", REGISTRATION)
    assert res.status == 201
    assert res.body["name"] == "张三" and res.body["team"] == {"code": "11", "name": "北京市"}
    assert res.body["phone_masked"] == "138****8000" and res.body["region_locked"] is False
    assert all("13800138000" not in call.text for call in api.calls)
    with app.app_context():
        participant = db.session.scalar(select(Participant))
        assert "13800138000" not in participant.phone_enc
        assert personal_data.decrypt(participant.phone_enc) == "13800138000"
    again = api.post("/register", {**REGISTRATION, "phone": None, "work_unit": ""})
    assert again.status == 200 and again.body["phone_masked"] is None and again.body["work_unit"] is None
    assert count_participants(app) == 1


def test_profile_corrections_and_region_lock(app, emu, campaign):
    api = resident(app, emu)
    res = api.patch("/me", {"name": "张小三", "phone": "139 1234 5678", "work_unit": "朝阳区某社区"})
    assert res.status == 200
    assert (res.body["name"], res.body["phone_masked"], res.body["work_unit"]) == (
        "张小三",
        "139****5678",
        "朝阳区某社区",
    )
    assert api.patch("/me", {"region": "上海"}).body["team"]["name"] == "上海市"
    assert api.patch("/me", {"phone": "12"}).body["error"] == "bad_phone"
    assert api.patch("/me", {"openid": "o_other"}).body["error"] == "bad_fields"
    assert api.patch("/me", {}).body["error"] == "bad_fields"
    assert api.patch("/me", {"name": None}).body["error"] == "bad_name"
    assert api.patch("/me", {"work_unit": None}).body["work_unit"] is None
    paper = api.get("/papers/today").body
    assert api.post(f"/papers/{paper['id']}/submit", {"answers": {}}).status == 200
    res = api.patch("/me", {"region": "北京"})
    assert res.status == 400 and res.body["error"] == "region_locked" and "不能再修改" in res.body["message"]
    assert api.patch("/me", {"region": "上海市"}).status == 200  # unchanged region is fine
    me = api.get("/me").body
    assert me["team"]["name"] == "上海市" and me["region_locked"] is True and me["name"] == "张小三"
    res = api.post("/register", {**REGISTRATION, "region": "北京"})
    assert res.body["error"] == "region_locked"
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Enrollment)) == 1


def test_unregistered_resident(app, emu, campaign):
    api = resident(app, emu, register=False)
    me = api.get("/me").body
    assert me["registered"] is False and me["name"] is None
    for path in ("/papers/today", "/me/results"):
        res = api.get(path)
        assert res.status == 403 and res.body["error"] == "not_registered", path
    assert api.patch("/me", {"name": "李四"}).status == 403
    assert api.get("/papers/1").status == 404
