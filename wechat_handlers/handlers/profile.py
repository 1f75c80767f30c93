"""A resident's own data: correct it (name, phone, work unit, region until the first paper)."""

from __future__ import annotations

from app.errors import DomainError
from app.services import campaigns, registration
from wechat_handlers import copy_quiz as t
from wechat_handlers.replies import Reply, Text
from wechat_handlers.router import Context, Router


def correct(ctx: Context) -> Reply:
    participant = registration.get_participant(ctx.msg.openid)
    if participant is None:
        return Text(t.NOT_REGISTERED)
    text = ctx.msg.text.strip()
    for prefix, field in (
        ("修改姓名", "name"),
        ("修改手机", "phone"),
        ("修改单位", "work_unit"),
        ("修改地区", "region"),
    ):
        if text.startswith(prefix):
            value = text[len(prefix) :].strip(" ：:")
            if not value:
                break
            if field == "region":
                campaign = campaigns.require_open(ctx.now)
                enrollment = registration.get_enrollment(participant, campaign)
                match = registration.match_region(campaign.teams, value)
                if enrollment is None or match.team is None:
                    raise DomainError(t.REGION_NOT_FOUND)
                registration.change_team(enrollment, match.team)
            else:
                registration.update_profile(participant, now=ctx.now, **{field: value})
            return Text(t.PROFILE_UPDATED)
    return Text(t.PROFILE_USAGE)


def register(router: Router) -> None:
    # 我的信息 (what is stored) lives in wechat_handlers/handlers/my_data.py with 删除我的信息.
    router.keyword("修改姓名", "修改手机", "修改单位", "修改地区", prefix=True)(correct)
    router.keyword("修改信息", "修改")(correct)
