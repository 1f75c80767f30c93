"""OpenAPI section: the quiz campaign, its teams, the privacy notice, registration and my profile."""

from __future__ import annotations

from typing import Any

from app.web.api.openapi import (
    BOOL,
    DATE,
    INT,
    STR,
    TIME,
    array,
    body,
    errors,
    nullable,
    obj,
    op,
    query_param,
    ref,
    reply,
)

QTYPE = {"type": "string", "enum": ["single", "judge", "multiple"]}

SCHEMAS: dict[str, Any] = {
    "Team": obj({"code": STR, "name": STR}),
    "TeamChoice": obj({"code": STR, "name": STR, "aliases": array(STR)}),
    "Campaign": obj(
        {
            "slug": STR,
            "name": STR,
            "status": {"type": "string", "enum": ["open", "not_started", "ended"]},
            "starts_at": TIME,
            "ends_at": TIME,
            "window_text": STR,
            "today": DATE,
            "rules": obj(
                {
                    "questions_per_paper": INT,
                    "total_points": INT,
                    "attempts_per_day": INT,
                    "time_limit_seconds": nullable(INT),
                    "multiple_rule": {"type": "string", "enum": ["all_or_nothing", "partial"]},
                    "mix": array(obj({"type": QTYPE, "type_label": STR, "count": INT, "points": INT})),
                }
            ),
        }
    ),
    "Privacy": obj(
        {
            "kind": STR,
            "version": STR,
            "title": STR,
            "processor": STR,
            "purpose": STR,
            "data": STR,
            "retention": STR,
            "rights": STR,
            "contact": STR,
            "text": STR,
        }
    ),
    "RegisterRequest": obj(
        {
            "name": {**STR, "description": "2 到 20 个字"},
            "region": {**STR, "description": '地区代码（如 "11"）或名称（如 "北京"）'},
            "consent": {**BOOL, "description": "必须为 true（同意个人信息说明），否则不保存任何信息"},
        },
        {
            "phone": {**nullable(STR), "description": "11 位手机号，可不填；加密保存"},
            "work_unit": {**nullable(STR), "description": "工作单位，可不填，60 字以内"},
        },
    ),
    "ProfilePatch": obj(
        {},
        {
            "name": STR,
            "phone": nullable(STR),
            "work_unit": nullable(STR),
            "region": {**STR, "description": "交卷后不能再改"},
        },
    ),
    "Me": obj(
        {
            "registered": BOOL,
            "name": nullable(STR),
            "phone_masked": {**nullable(STR), "description": "如 138****8000；完整号码不会返回"},
            "work_unit": nullable(STR),
            "team": nullable(ref("Team")),
            "region_locked": BOOL,
            "consent_version": nullable(STR),
            "registered_at": nullable(TIME),
        }
    ),
}

NO_CAMPAIGN = errors(e404="no_campaign：没有活动。")
CLOSED = "no_campaign / not_started / ended：活动不在进行中"
NOT_REGISTERED = "not_registered：还没有报名。"

PATHS: dict[str, Any] = {
    "/campaign": {
        "get": op(
            "当前（或下一个、最近结束的）活动：时间、状态和规则。",
            {"200": reply("活动", ref("Campaign")), **NO_CAMPAIGN},
        )
    },
    "/teams": {
        "get": op(
            "可选的地区（战队）列表。",
            {"200": reply("地区", obj({"teams": array(ref("TeamChoice"))})), **NO_CAMPAIGN},
        )
    },
    "/privacy": {
        "get": op(
            "个人信息说明：?kind=quiz（默认，报名前须同意）或 ?kind=tips（实名举报前须同意）。",
            {"200": reply("说明", ref("Privacy")), **errors(e400="bad_kind")},
            parameters=[query_param("kind", "quiz 或 tips")],
        )
    },
    "/register": {
        "post": op(
            "报名（或更正报名信息）。必须 consent: true；地区可用代码或名称，名称不唯一时返回候选。",
            {
                "201": reply("报名成功", ref("Me")),
                "200": reply("已更新报名信息", ref("Me")),
                **errors(
                    e400="consent_required / bad_name / bad_phone / bad_unit / region_required / "
                    "region_not_found / region_ambiguous（带 candidates） / region_locked / " + CLOSED
                ),
            },
            auth=True,
            request=body(ref("RegisterRequest")),
        )
    },
    "/me": {
        "get": op("我的报名信息（手机号只显示部分）。", {"200": reply("我的信息", ref("Me"))}, auth=True),
        "patch": op(
            "修改姓名、手机号、工作单位；地区在交卷前可改。",
            {
                "200": reply("已修改", ref("Me")),
                **errors(
                    e400="bad_fields / bad_name / bad_phone / bad_unit / region_not_found / "
                    "region_ambiguous / region_locked",
                    e403=NOT_REGISTERED,
                    e404="no_campaign",
                ),
            },
            auth=True,
            request=body(ref("ProfilePatch")),
        ),
    },
}
