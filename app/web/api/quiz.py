"""The quiz API, part 1: the campaign and its teams, the privacy notice, registration and my profile."""

from __future__ import annotations

import unicodedata
from typing import Any

from flask import current_app, jsonify, request
from sqlalchemy import select

from app import clock
from app.errors import DomainError, NotFound
from app.extensions import db
from app.models.campaign import Campaign, Team
from app.models.participant import Enrollment, Participant
from app.services import campaigns, registration
from app.services import privacy as privacy_notices
from app.web.api import bp
from app.web.api.auth import current_openid, login_required

AGREE_HINT = {"quiz": "勾选“我同意”后才会保存您填写的信息。", "tips": "勾选“我同意”后才能实名提交。"}
BAD_REQUEST = "请求格式不对，请刷新页面后重试。"
NOT_REGISTERED = "您还没有报名，请先填写报名信息。"
REGION_REQUIRED = "请选择所在地区。"
REGION_NOT_FOUND = "没有找到这个地区，请从列表中选择。"
REGION_AMBIGUOUS = "找到多个地区，请选择其中一个。"
NO_CAMPAIGN = "目前没有答题活动，敬请关注。"
PROFILE_FIELDS = ("name", "phone", "work_unit", "region")


class NotRegistered(DomainError):
    code = "not_registered"
    status = 403


class RegionAmbiguous(DomainError):
    code = "region_ambiguous"

    def __init__(self, candidates: tuple[Team, ...]) -> None:
        super().__init__(REGION_AMBIGUOUS)
        self.candidates = candidates


@bp.errorhandler(RegionAmbiguous)
def region_ambiguous(exc: RegionAmbiguous):  # noqa: ANN201
    db.session.rollback()
    return jsonify(
        error=exc.code, message=exc.message, candidates=[team_json(t) for t in exc.candidates]
    ), 400


# Reading requests ----------------------------------------------------------------------------------
def json_body() -> dict[str, Any]:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise DomainError(BAD_REQUEST, code="bad_request")
    return data


def text_field(data: dict[str, Any], name: str) -> str | None:
    """A string field (None when absent or null); any other JSON type is a 400."""
    value = data.get(name)
    if value is not None and not isinstance(value, str):
        raise DomainError(BAD_REQUEST, code="bad_request")
    return value


def resolve_region(campaign: Campaign, raw: str | None) -> Team:
    """A team by code ("11") or name ("北京", "北京市", "京"); an ambiguous name lists the candidates."""
    text = unicodedata.normalize("NFKC", raw or "").strip()
    if not text:
        raise DomainError(REGION_REQUIRED, code="region_required")
    by_code = [t for t in campaign.teams if t.code.casefold() == text.casefold()]
    if by_code:
        return by_code[0]
    if text.isdigit():  # list positions are a chat convenience; the API takes codes
        raise DomainError(REGION_NOT_FOUND, code="region_not_found")
    match = registration.match_region(campaign.teams, text)
    if match.team is not None:
        return match.team
    if match.candidates:
        raise RegionAmbiguous(match.candidates)
    raise DomainError(REGION_NOT_FOUND, code="region_not_found")


# Who is asking --------------------------------------------------------------------------------------
def any_campaign() -> Campaign:
    campaign = campaigns.current_campaign(clock.now())
    if campaign is None:
        raise NotFound(NO_CAMPAIGN, code="no_campaign")
    return campaign


def my_enrollment(campaign: Campaign) -> tuple[Participant, Enrollment]:
    """The caller and their enrollment in `campaign`, in one query (NotRegistered when either is missing)."""
    row = db.session.execute(
        select(Participant, Enrollment)
        .join(Enrollment, Enrollment.participant_id == Participant.id)
        .where(Participant.openid == current_openid(), Enrollment.campaign_id == campaign.id)
    ).first()
    if row is None:
        raise NotRegistered(NOT_REGISTERED)
    return row[0], row[1]


# Shaping responses ----------------------------------------------------------------------------------
def team_json(team: Team) -> dict[str, Any]:
    return {"code": team.code, "name": team.name}


def campaign_json(campaign: Campaign) -> dict[str, Any]:
    now, rules = clock.now(), campaigns.rules_of(campaign)
    status = "open" if campaign.is_open(now) else ("not_started" if now < campaign.starts_at else "ended")
    return {
        "slug": campaign.slug,
        "name": campaign.name,
        "status": status,
        "starts_at": campaign.starts_at.isoformat(),
        "ends_at": campaign.ends_at.isoformat(),
        "window_text": campaigns.window_text(campaign),
        "today": clock.campaign_day(now).isoformat(),
        "rules": {
            "questions_per_paper": sum(m.count for m in rules.mix),
            "total_points": rules.total_points,
            "attempts_per_day": rules.attempts_per_day,
            "time_limit_seconds": rules.time_limit_seconds,
            "multiple_rule": rules.multiple_rule,
            "mix": [
                {"type": m.type.value, "type_label": m.type.label, "count": m.count, "points": m.points}
                for m in rules.mix
            ],
        },
    }


def me_json(participant: Participant | None, enrollment: Enrollment | None) -> dict[str, Any]:
    if participant is None:
        return {
            "registered": False,
            "name": None,
            "phone_masked": None,
            "work_unit": None,
            "team": None,
            "region_locked": False,
            "consent_version": None,
            "registered_at": None,
        }
    return {
        "registered": enrollment is not None,
        "name": participant.name,
        "phone_masked": participant.phone_masked,
        "work_unit": participant.work_unit,
        "team": team_json(enrollment.team) if enrollment else None,
        "region_locked": registration.region_locked(enrollment) if enrollment else False,
        "consent_version": participant.consent_version,
        "registered_at": participant.created_at.isoformat(),
    }


# Views ----------------------------------------------------------------------------------------------
@bp.get("/campaign")
def campaign_info():  # noqa: ANN201
    """The current (or next, or last) campaign: name, window, status and rules."""
    return jsonify(campaign_json(any_campaign()))


@bp.get("/teams")
def team_list():  # noqa: ANN201
    """The regions residents choose from (their teams), in display order."""
    campaign = any_campaign()
    return jsonify(teams=[{**team_json(t), "aliases": list(t.aliases or [])} for t in campaign.teams])


@bp.get("/privacy")
def privacy():  # noqa: ANN201
    """A privacy notice: `?kind=quiz` (default; agreed to before registering) or `?kind=tips` (agreed to
    before a real-name tip). The same canonical text as in chat (app.services.privacy)."""
    kind = request.args.get("kind", "quiz")
    if kind not in privacy_notices.KINDS:
        raise DomainError("没有这种说明，kind 只能是 quiz 或 tips。", code="bad_kind")
    body = privacy_notices.notice(kind, current_app.config).as_dict()
    body["text"] += "\n" + AGREE_HINT[kind]
    return jsonify(body)


@bp.post("/register")
@login_required
def register():  # noqa: ANN201
    """Register for the open campaign: name, region, optional phone and work unit, and consent.

    Nothing is stored without `consent: true`. Registering again corrects the details (the region only
    until the first paper is submitted)."""
    data = json_body()
    now = clock.now()
    campaign = campaigns.require_open(now)
    name, phone, unit = text_field(data, "name"), text_field(data, "phone"), text_field(data, "work_unit")
    team = resolve_region(campaign, text_field(data, "region"))
    participant = registration.get_participant(current_openid())
    is_new = participant is None or registration.get_enrollment(participant, campaign) is None
    enrollment = registration.register(
        current_openid(),
        campaign,
        name=name or "",
        team=team,
        phone=phone,
        work_unit=unit,
        consent=data.get("consent") is True,
        now=now,
    )
    body = me_json(enrollment.participant, enrollment)
    db.session.commit()
    return jsonify(body), 201 if is_new else 200


@bp.get("/me")
@login_required
def me():  # noqa: ANN201
    """My registration (phone masked); `registered: false` before registering."""
    participant = registration.get_participant(current_openid())
    campaign = campaigns.current_campaign(clock.now())
    enrollment = registration.get_enrollment(participant, campaign) if participant and campaign else None
    return jsonify(me_json(participant, enrollment))


@bp.patch("/me")
@login_required
def update_me():  # noqa: ANN201
    """Correct name, phone, work unit (null or "" clears phone and unit), or region until the first paper."""
    data = json_body()
    unknown = sorted(set(data) - set(PROFILE_FIELDS))
    if unknown or not data:
        raise DomainError("只能修改姓名、手机号、工作单位和所在地区。", code="bad_fields")
    now = clock.now()
    campaign = any_campaign()
    participant, enrollment = my_enrollment(campaign)
    values = {f: text_field(data, f) for f in ("name", "phone", "work_unit") if f in data}
    if values.get("name", "") is None:
        raise DomainError("姓名不能为空。", code="bad_name")
    if "region" in data:
        team = resolve_region(campaign, text_field(data, "region"))
        if team.id != enrollment.team_id:
            campaigns.require_open(now)
            registration.change_team(enrollment, team)
    registration.update_profile(participant, now=now, **{k: v or "" for k, v in values.items()})
    db.session.expire(enrollment, ["team"])
    body = me_json(participant, enrollment)
    db.session.commit()
    return jsonify(body)
