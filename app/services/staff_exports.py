"""Spreadsheets for staff: team and individual leaderboards, final results for prizes, tips.

Every cell goes through quiz_bank.tabular.neutralize (formula injection); files are .xlsx (one sheet, bold
frozen header) or .csv (UTF-8 with BOM, for Excel and WPS). Exports that carry personal data (prize list,
tips) write audit rows.
"""

from __future__ import annotations

import secrets
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app import clock
from app.errors import NotFound
from app.extensions import db
from app.models.campaign import Campaign
from app.models.leaderboard import Publication
from app.models.tip import CATEGORY_LABELS, STATUS_LABELS, Tip
from app.services import audit, leaderboards, publications, standings, tip_triage
from quiz_bank.tabular import SheetSpec, neutralize, write_csv, write_xlsx

FORMATS = ("xlsx", "csv")
INDIVIDUALS_MAX = 10_000
MIME = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


@dataclass(frozen=True)
class Sheet:
    """A finished table: file name stem, spec and already-neutralised rows."""

    name: str
    spec: SheetSpec
    rows: list[list[str]]

    def render(self, fmt: str) -> bytes:
        """The file's bytes as .xlsx or .csv."""
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / f"export.{fmt}"
            if fmt == "xlsx":
                write_xlsx(self.spec, self.rows, path)
            elif fmt == "csv":
                write_csv(self.spec.columns, self.rows, path)
            else:
                raise ValueError(f"unknown format {fmt!r}")
            return path.read_bytes()


def _cells(values: Iterable[object]) -> list[str]:
    return [neutralize("" if v is None else str(v)) for v in values]


def _fmt_time(seconds: int) -> str:
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes}分{secs:02d}秒"


def campaigns() -> list[Campaign]:
    return list(db.session.scalars(select(Campaign).order_by(Campaign.starts_at.desc())))


def get_campaign(campaign_id: int) -> Campaign:
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None:
        raise NotFound("没有这个活动", code="campaign_not_found")
    return campaign


# Leaderboards ------------------------------------------------------------------------------------------
TEAM_COLUMNS = ("名次", "战队代码", "战队", "团队得分", "参与人数", "答卷数", "总积分", "人均得分", "参与率")


def team_leaderboard(campaign: Campaign) -> Sheet:
    """Every team ranked by the campaign's formula, from the database (the truth)."""
    rows = [
        _cells(
            (
                r.rank,
                r.code,
                r.name,
                "" if r.score is None else r.score,
                r.participants,
                r.papers,
                r.points,
                f"{r.average:.2f}",
                "" if r.participation_rate is None else f"{r.participation_rate:.4%}",
            )
        )  # fmt: skip
        for r in standings.team_standings_sql(campaign)
    ]
    spec = SheetSpec(title="战队排行", columns=TEAM_COLUMNS, widths={"战队": 20})
    return Sheet(f"战队排行-{campaign.slug}", spec, rows)


INDIVIDUAL_COLUMNS = ("名次", "姓名（已脱敏）", "战队", "累计积分", "累计用时")


def individual_leaderboard(campaign: Campaign, limit: int = INDIVIDUALS_MAX) -> Sheet:
    """The individual ranking as residents see it (masked names), best first."""
    rows = [
        _cells((r.rank, r.name, r.team, r.points, _fmt_time(r.time_s)))
        for r in leaderboards.top_individuals(campaign, limit)
    ]
    spec = SheetSpec(title="个人排行", columns=INDIVIDUAL_COLUMNS, widths={"战队": 20})
    return Sheet(f"个人排行-{campaign.slug}", spec, rows)


# Final results for prizes ------------------------------------------------------------------------------
FINAL_COLUMNS = ("名次", "姓名", "手机号码", "工作单位", "战队", "累计积分", "累计用时")
FINAL_TEAM_COLUMNS = ("名次", "战队", "团队得分", "参与人数", "总积分", "优秀战队")


def _final(campaign: Campaign, kind: str) -> Publication:
    pub = db.session.scalar(
        select(Publication).where(Publication.campaign_id == campaign.id, Publication.kind == kind)
    )
    if pub is None:
        raise NotFound("活动结束并冻结最终结果后才能导出获奖名单", code="not_final")
    return pub


def final_individuals(campaign: Campaign, *, actor: str, now: datetime) -> Sheet:
    """The frozen top-N residents with full names and phones, for delivering prizes (audited)."""
    pub = _final(campaign, "final_individuals")
    audit.record(actor, "export.final_individuals", "campaign", campaign.id, now=now, detail=campaign.slug)
    rows = [
        _cells((r.rank, r.name, r.phone, r.work_unit, r.team, r.points, _fmt_time(r.time_s)))
        for r in publications.final_individuals_for_prizes(pub)
    ]
    spec = SheetSpec(title="个人获奖名单", columns=FINAL_COLUMNS, widths={"工作单位": 24, "战队": 20})
    return Sheet(f"个人获奖名单-{campaign.slug}", spec, rows)


def final_teams(campaign: Campaign) -> Sheet:
    """The frozen final team ranking; the top 10 are 优秀战队."""
    pub = _final(campaign, "final_teams")
    rows = [
        _cells(
            (r["rank"], r["name"], r["score"], r["participants"], r["points"], "是" if r["excellent"] else "")
        )
        for r in pub.rows
    ]
    spec = SheetSpec(title="战队最终排名", columns=FINAL_TEAM_COLUMNS, widths={"战队": 20})
    return Sheet(f"战队最终排名-{campaign.slug}", spec, rows)


# Tips ----------------------------------------------------------------------------------------------------
TIP_COLUMNS = (
    "回执编号", "提交时间", "来源", "类别", "被举报对象", "经过", "地点", "证据文件数", "状态",
    "处理人", "已掌握", "重复于", "公开答复", "匿名",
)  # fmt: skip


def tips(f: tip_triage.TipFilter, *, actor: str, now: datetime) -> Sheet:
    """Filtered tips without tipster identities; every exported tip gets an audit row naming the batch."""
    batch = secrets.token_hex(4)
    query = (
        tip_triage.filtered(f, now).order_by(Tip.created_at, Tip.id).options(selectinload(Tip.attachments))
    )
    found = list(db.session.scalars(query))
    duplicates = {t.id: t.receipt for t in found}
    rows = []
    for tip in found:
        audit.record(actor, "tip.export", "tip", tip.receipt, now=now, detail=f"batch {batch}")
        original = duplicates.get(tip.duplicate_of_id) or tip_triage.receipt_of_id(tip.duplicate_of_id)
        rows.append(
            _cells(
                (
                    tip.receipt,
                    clock.fmt_local(tip.created_at),
                    tip.channel,
                    CATEGORY_LABELS[tip.category],
                    tip.target,
                    tip.story,
                    tip.place,
                    len(tip.attachments),
                    STATUS_LABELS[tip.status],
                    tip.assignee,
                    "是" if tip.already_known else "",
                    original,
                    tip.public_reply,
                    "是" if tip.anonymous else "否",
                )
            )  # fmt: skip
        )
    spec = SheetSpec(
        title="举报线索",
        columns=TIP_COLUMNS,
        widths={"回执编号": 18, "提交时间": 17, "被举报对象": 24, "经过": 48, "地点": 20, "公开答复": 30},
        wrap=("经过",),
    )
    return Sheet(f"举报线索-{clock.fmt_local(now, '%Y%m%d%H%M')}", spec, rows)


def file_name(stem: str, fmt: str) -> str:
    return f"{stem}.{fmt}"
