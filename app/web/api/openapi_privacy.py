"""OpenAPI section: a resident's personal data (app/web/api/me_data.py)."""

from __future__ import annotations

from typing import Any

from app.web.api.openapi import BOOL, INT, STR, array, nullable, obj, op, reply

SCHEMAS: dict[str, Any] = {
    "MyData": obj(
        {
            "registered": BOOL,
            "name": nullable(STR),
            "phone_masked": nullable(STR),
            "work_unit": nullable(STR),
            "teams": array(STR),
            "consent": obj({"version": nullable(STR), "at": nullable(STR)}),
            "registered_at": nullable(STR),
            "papers": INT,
            "total_score": INT,
            "tips": array(
                obj(
                    {
                        "receipt": STR,
                        "status": STR,
                        "submitted_at": STR,
                        "name_masked": STR,
                        "phone_masked": STR,
                        "consent_version": nullable(STR),
                    }
                )
            ),
        }
    ),
}

PATHS: dict[str, Any] = {
    "/me/data": {
        "get": op(
            "我的个人信息：保存了哪些关于我的信息（手机号、实名举报人姓名已脱敏）。",
            {"200": reply("我的信息", {"$ref": "#/components/schemas/MyData"})},
            auth=True,
            tag="privacy",
        ),
        "delete": op(
            "删除我的个人信息：姓名、手机号、工作单位、与微信账号的关联、实名举报人信息；"
            "成绩以匿名方式保留。页面须先请居民确认。",
            {
                "200": reply(
                    "已删除",
                    obj(
                        {
                            "deleted": BOOL,
                            "participant_erased": BOOL,
                            "tip_identities_deleted": INT,
                            "message": STR,
                        }
                    ),
                )
            },
            auth=True,
            tag="privacy",
        ),
    },
}
