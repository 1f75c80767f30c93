"""Registration: name, team (region), optional phone and work unit, after consent to the privacy notice."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.orm import contains_eager

from app import personal_data
from app.errors import DomainError
from app.extensions import db
from app.models.campaign import Campaign, Team
from app.models.paper import Paper
from app.models.participant import Enrollment, Participant
from app.services import after_commit

PRIVACY_VERSION = "2026-1"
_PHONE = re.compile(r"^1[3-9]\d{9}$")
_NAME_OK = re.compile(r"^[\u4e00-\u9fffA-Za-z·•.\s]+$")


def clean_name(raw: str) -> str:
    """Trimmed, 2–20 characters, Chinese or Latin letters (and the · of minority names)."""
    name = re.sub(r"\s+", " ", unicodedata.normalize("NFKC", raw or "")).strip()
    if not 2 <= len(name) <= 20:
        raise DomainError("姓名请填写2到20个字。", code="bad_name")
    if not _NAME_OK.match(name):
        raise DomainError("姓名只能包含汉字或字母，请重新输入。", code="bad_name")
    return name


def clean_phone(raw: str | None) -> str | None:
    """A mainland mobile number (11 digits starting 13–19), or None when skipped."""
    if raw is None:
        return None
    digits = re.sub(r"[\s\-]", "", unicodedata.normalize("NFKC", raw))
    if digits in ("", "跳过", "不填", "无"):
        return None
    if digits.startswith("+86"):
        digits = digits[3:]
    if not _PHONE.match(digits):
        raise DomainError("手机号格式不对，请输入11位手机号，或回复“跳过”。", code="bad_phone")
    return digits


def clean_unit(raw: str | None) -> str | None:
    unit = re.sub(r"\s+", " ", unicodedata.normalize("NFKC", raw or "")).strip()
    if unit in ("", "跳过", "不填", "无"):
        return None
    if len(unit) > 60:
        raise DomainError("工作单位请控制在60个字以内，或回复“跳过”。", code="bad_unit")
    if any(unicodedata.category(ch).startswith("C") for ch in unit):
        raise DomainError("工作单位含有无法识别的字符，请重新输入。", code="bad_unit")
    return unit


@dataclass(frozen=True)
class RegionMatch:
    team: Team | None
    candidates: tuple[Team, ...] = ()


def match_region(teams: list[Team], raw: str) -> RegionMatch:
    """Find a team by number (1-based, as listed), code, full name, or alias/prefix ("北京" finds 北京市).
    Ambiguous input returns the candidates so the resident can be asked again."""
    text = unicodedata.normalize("NFKC", raw or "").strip()
    if not text:
        return RegionMatch(None)
    if text.isdigit() and 1 <= int(text) <= len(teams):
        return RegionMatch(teams[int(text) - 1])
    exact = [t for t in teams if text in (t.name, t.code) or text in (t.aliases or [])]
    if len(exact) == 1:
        return RegionMatch(exact[0])
    partial = [t for t in teams if t.name.startswith(text) or text in t.name or t.name in text]
    if len(partial) == 1:
        return RegionMatch(partial[0])
    return RegionMatch(None, tuple(exact or partial))


def get_participant(openid: str) -> Participant | None:
    return db.session.scalar(select(Participant).where(Participant.openid == openid))


_ENROLLMENT_OF = (  # built once: the chat asks this on every 答题 and 排行榜
    select(Enrollment)
    .join(Participant, Participant.id == Enrollment.participant_id)
    .where(Participant.openid == bindparam("b_openid"), Enrollment.campaign_id == bindparam("b_campaign"))
    .options(contains_eager(Enrollment.participant))
)


def enrollment_of(openid: str, campaign: Campaign) -> Enrollment | None:
    """The resident's enrollment in the campaign, with the participant loaded in the same query."""
    return db.session.scalar(_ENROLLMENT_OF, {"b_openid": openid, "b_campaign": campaign.id})


def get_enrollment(participant: Participant, campaign: Campaign) -> Enrollment | None:
    return db.session.scalar(
        select(Enrollment).where(
            Enrollment.participant_id == participant.id, Enrollment.campaign_id == campaign.id
        )
    )


def register(
    openid: str,
    campaign: Campaign,
    *,
    name: str,
    team: Team,
    phone: str | None,
    work_unit: str | None,
    consent: bool,
    now: datetime,
) -> Enrollment:
    """Store a participant and their team for the campaign. Nothing is stored without consent."""
    if not consent:
        raise DomainError("需要您同意个人信息说明后才能报名。", code="consent_required")
    if team.campaign_id != campaign.id:
        raise DomainError("所选地区不在本次活动中，请重新选择。", code="bad_region")
    name, phone, work_unit = clean_name(name), clean_phone(phone), clean_unit(work_unit)
    participant = get_participant(openid)
    if participant is None:
        participant = Participant(openid=openid, created_at=now)
        db.session.add(participant)
    participant.name, participant.work_unit, participant.updated_at = name, work_unit, now
    participant.phone_enc = personal_data.encrypt(phone)
    participant.phone_masked = personal_data.mask_phone(phone) or None
    participant.consent_version, participant.consent_at = PRIVACY_VERSION, now
    db.session.flush()
    enrollment = get_enrollment(participant, campaign)
    if enrollment is None:
        enrollment = Enrollment(
            participant_id=participant.id, campaign_id=campaign.id, team_id=team.id, created_at=now
        )
        db.session.add(enrollment)
    elif enrollment.team_id != team.id:
        change_team(enrollment, team)
    db.session.flush()
    return enrollment


def region_locked(enrollment: Enrollment) -> bool:
    """The team is locked once a paper has been submitted in the campaign."""
    return (
        db.session.scalar(
            select(Paper.id)
            .where(
                Paper.participant_id == enrollment.participant_id,
                Paper.campaign_id == enrollment.campaign_id,
                Paper.status == "submitted",
            )
            .limit(1)
        )
        is not None
    )


def change_team(enrollment: Enrollment, team: Team) -> None:
    if region_locked(enrollment):
        raise DomainError("您已经交过卷，所在地区（战队）不能再修改了。", code="region_locked")
    enrollment.team_id = team.id
    db.session.flush()


def update_profile(
    participant: Participant,
    *,
    name: str | None = None,
    phone: str | None = None,
    work_unit: str | None = None,
    now: datetime,
) -> Participant:
    """Correct name, phone or work unit (each optional)."""
    if name is not None:
        participant.name = clean_name(name)
        after_commit.publish("participant_renamed", participant.id)
    if phone is not None:
        cleaned = clean_phone(phone)
        participant.phone_enc = personal_data.encrypt(cleaned)
        participant.phone_masked = personal_data.mask_phone(cleaned) or None
    if work_unit is not None:
        participant.work_unit = clean_unit(work_unit)
    participant.updated_at = now
    db.session.flush()
    return participant


def rotate_phone_keys() -> int:
    """Re-encrypt every stored phone with the newest FANGFEI_DATA_KEY (see app.personal_data)."""
    count = 0
    for participant in db.session.scalars(select(Participant).where(Participant.phone_enc.is_not(None))):
        participant.phone_enc = personal_data.rotate(participant.phone_enc)
        count += 1
    db.session.flush()
    return count
