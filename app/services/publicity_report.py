"""The 宣传月活动情况统计表 (attachment 3 of the Lingyuan 2021 publicity-month notice), with the figures the
system knows filled in and every other cell left blank for staff.

Filled in, for the campaign's window:
- 互动宣传覆盖人数(人次): distinct residents who submitted a quiz paper (interactive coverage);
- 点击量、阅读量、转发量(次): online interactions = submitted quiz papers + tips received online;
- tips received are also stated on their own in the notes under the table (the form has no column for them).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from sqlalchemy import func, select

from app import clock
from app.extensions import db
from app.models.campaign import Campaign
from app.models.paper import SUBMITTED, Paper
from app.models.tip import Tip
from quiz_bank.tabular import neutralize

# (group header, [sub-headers]) exactly as the form prints them (whitespace from the scan removed).
GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("“七进”等宣传活动", ("活动场次(次)", "参与群众(人次)")),
    ("报刊、杂志播、电视等", ("刊印份数、播放次数",)),
    (
        "网络宣传(网站、微信、微博、抖音、快手、短信等)",
        ("发布原创作品数(篇)", "点击量、阅读量、转发量(次)", "互动宣传覆盖人数(人次)", "发送短信(条)"),
    ),
    (
        "户外广告、宣传品",
        ("海报、展板(份);电子显示屏、公共交通广告、楼宇电梯广告等(次);传单、手册、赠品等(份)",),
    ),
    ("其他", ("被新闻媒体报道(次)",)),
)
COLUMNS: tuple[str, ...] = tuple(sub for _group, subs in GROUPS for sub in subs)
INTERACTIONS, COVERAGE = "点击量、阅读量、转发量(次)", "互动宣传覆盖人数(人次)"
NOTES = (
    "填表说明：1.“七进”宣传活动是指通过线上线下方式深入机关、工厂、学校、家庭、社区、村屯、网点等开展的讲座、宣讲活动等。",
    "2.表中项目未开展的填写“0”，表中未列举的创新宣传方式可在“其他”一栏中进行列举。",
)


@dataclass(frozen=True)
class Figures:
    """What the system counted for the campaign's window."""

    participants: int  # distinct residents with a submitted paper
    papers: int  # submitted papers (every attempt)
    tips: int  # tips received (chat and web)
    start: datetime
    end: datetime

    @property
    def interactions(self) -> int:
        return self.papers + self.tips


def figures(campaign: Campaign, now: datetime) -> Figures:
    """Counts from the database for the campaign's window (up to now while it runs)."""
    end = min(campaign.ends_at, now)
    papers = select(Paper).where(Paper.campaign_id == campaign.id, Paper.status == SUBMITTED).subquery()
    participants, count = db.session.execute(
        select(func.count(func.distinct(papers.c.participant_id)), func.count()).select_from(papers)
    ).one()
    tips = db.session.scalar(
        select(func.count()).where(Tip.created_at >= campaign.starts_at, Tip.created_at < end)
    )
    return Figures(int(participants), int(count), int(tips or 0), campaign.starts_at, end)


def title(campaign: Campaign) -> str:
    return f"{clock.local(campaign.starts_at).year} 年防范非法集资宣传月活动情况统计表"


def data_row(fig: Figures) -> list[str]:
    """The form's one data row: the system's figures, blanks elsewhere."""
    known = {INTERACTIONS: fig.interactions, COVERAGE: fig.participants}
    return [str(known[c]) if c in known else "" for c in COLUMNS]


def notes(fig: Figures) -> list[str]:
    period = f"{clock.fmt_local(fig.start, '%Y-%m-%d')} 至 {clock.fmt_local(fig.end, '%Y-%m-%d %H:%M')}"
    return [
        f"系统数据（{period}，北京时间）：{COVERAGE} = 答题参与人数 {fig.participants} 人；",
        f"{INTERACTIONS} = 在线答题 {fig.papers} 次 + 在线举报 {fig.tips} 条 = {fig.interactions} 次；"
        f"收到举报线索 {fig.tips} 条。其余各栏请按实际情况填写。",
        *NOTES,
    ]


def render_xlsx(campaign: Campaign, fig: Figures) -> bytes:
    """The form as printed: title, 填报单位, two merged header rows, one data row, notes."""
    wb = Workbook()
    ws = wb.active
    ws.title = "活动情况统计表"
    width = len(COLUMNS)
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)
    ws.cell(row=1, column=1, value=title(campaign)).font = Font(bold=True, size=14)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws.cell(row=1, column=1).alignment = center
    ws.cell(row=2, column=1, value="填报单位：")
    column = 1
    for group, subs in GROUPS:
        ws.cell(row=3, column=column, value=group)
        if len(subs) > 1:
            ws.merge_cells(start_row=3, start_column=column, end_row=3, end_column=column + len(subs) - 1)
        for offset, sub in enumerate(subs):
            ws.cell(row=4, column=column + offset, value=sub)
        column += len(subs)
    for index, value in enumerate(data_row(fig), start=1):
        ws.cell(row=5, column=index, value=int(value) if value else None)
    for row in ws.iter_rows(min_row=3, max_row=5, max_col=width):
        for cell in row:
            cell.border, cell.alignment = box, center
    for index in range(1, width + 1):
        ws.column_dimensions[ws.cell(row=4, column=index).column_letter].width = 16
    ws.column_dimensions[ws.cell(row=4, column=8).column_letter].width = 36
    ws.row_dimensions[3].height = 36
    ws.row_dimensions[4].height = 60
    for offset, line in enumerate(notes(fig)):
        ws.cell(row=7 + offset, column=1, value=neutralize(line))
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def render_csv(campaign: Campaign, fig: Figures) -> bytes:
    """The same as a flat CSV (UTF-8 with BOM): one header "group-sub" per column."""
    import csv

    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow([title(campaign)])
    writer.writerow(["填报单位："])
    writer.writerow([f"{group}-{sub}" for group, subs in GROUPS for sub in subs])
    writer.writerow(data_row(fig))
    writer.writerow([])
    for line in notes(fig):
        writer.writerow([neutralize(line)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
