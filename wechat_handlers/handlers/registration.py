"""The registration dialog: consent, name, region, phone (optional), work unit (optional)."""

from __future__ import annotations

from app.errors import DomainError
from app.extensions import db
from app.models.campaign import Team
from app.services import campaigns, privacy, registration
from wechat_handlers import copy_quiz as t
from wechat_handlers.replies import Reply, Text
from wechat_handlers.router import Context, Router

AGREE = {"同意", "我同意", "好", "好的", "可以", "是", "yes", "y", "ok", "1"}
REFUSE = {"不同意", "不", "否", "no", "n"}


def start(ctx: Context) -> Reply:
    ctx.dialog.clear()
    ctx.dialog.enter("reg:consent")
    return Text(privacy.notice("quiz", ctx.config).text + "\n" + t.AGREE_OR_CANCEL)


def receive_consent(ctx: Context) -> Reply | None:
    if ctx.msg.msg_type not in ("text", "voice") or ctx.is_command():
        return None  # menu clicks and commands go to their handlers; the step waits
    if ctx.text in AGREE:
        ctx.dialog.enter("reg:name", consent=True)
        return Text(t.ASK_NAME)
    if ctx.text in REFUSE:
        ctx.dialog.clear()
        return Text(t.CONSENT_REFUSED)
    return Text(t.CONSENT_AGAIN)


def region_list(teams: list[Team]) -> str:
    return "\n".join(f"{i}. {team.name}" for i, team in enumerate(teams, start=1))


def receive_name(ctx: Context) -> Reply | None:
    if ctx.msg.msg_type not in ("text", "voice") or ctx.is_command():
        return None  # menu clicks and commands go to their handlers; the step waits
    name = registration.clean_name(ctx.msg.text)
    campaign = campaigns.require_open(ctx.now)
    ctx.dialog.enter("reg:region", name=name)
    return Text(t.ASK_REGION_HEAD + region_list(campaign.teams))


def receive_region(ctx: Context) -> Reply | None:
    if ctx.msg.msg_type not in ("text", "voice") or ctx.is_command():
        return None  # menu clicks and commands go to their handlers; the step waits
    campaign = campaigns.require_open(ctx.now)
    candidates = ctx.dialog.data.get("candidates")
    teams = campaign.teams
    if candidates and ctx.text.isdigit():  # choosing from an ambiguous short list
        ids = [int(c) for c in candidates]
        teams = [tm for tm in campaign.teams if tm.id in ids]
    match = registration.match_region(teams, ctx.msg.text)
    if match.team is None:
        if match.candidates:
            ctx.dialog.update(candidates=[tm.id for tm in match.candidates])
            return Text(t.REGION_AMBIGUOUS + region_list(list(match.candidates)))
        return Text(t.REGION_NOT_FOUND)
    ctx.dialog.enter("reg:phone", team_id=match.team.id, candidates=None)
    return Text(t.ASK_PHONE)


def receive_phone(ctx: Context) -> Reply | None:
    if ctx.msg.msg_type not in ("text", "voice") or ctx.is_command():
        return None  # menu clicks and commands go to their handlers; the step waits
    phone = registration.clean_phone(ctx.msg.text)
    ctx.dialog.enter("reg:unit", phone=phone)
    return Text(t.ASK_UNIT)


def receive_unit(ctx: Context) -> Reply | None:
    if ctx.msg.msg_type not in ("text", "voice") or ctx.is_command():
        return None  # menu clicks and commands go to their handlers; the step waits
    from wechat_handlers.handlers import quiz

    unit = registration.clean_unit(ctx.msg.text)
    data = ctx.dialog.data
    campaign = campaigns.require_open(ctx.now)
    team = db.session.get(Team, data.get("team_id"))
    if team is None or not data.get("name"):
        ctx.dialog.clear()
        raise DomainError("报名信息过期了，请回复“答题”重新报名。")
    enrollment = registration.register(
        ctx.msg.openid,
        campaign,
        name=data["name"],
        team=team,
        phone=data.get("phone"),
        work_unit=unit,
        consent=bool(data.get("consent")),
        now=ctx.now,
    )
    ctx.dialog.clear()
    welcome = t.REGISTERED.format(name=enrollment.participant.name, team=team.name)
    return quiz.begin_paper(ctx, enrollment, campaign, prefix=welcome)


def register(router: Router) -> None:
    router.state("reg:consent")(receive_consent)
    router.state("reg:name")(receive_name)
    router.state("reg:region")(receive_region)
    router.state("reg:phone")(receive_phone)
    router.state("reg:unit")(receive_unit)
