"""Staff exports (service layer): leaderboards, prize list, tips, the 宣传月活动情况统计表; xlsx and csv."""

from __future__ import annotations

import csv
import io
import random
from datetime import UTC, datetime, timedelta

from openpyxl import load_workbook
from sqlalchemy import func, select

from app import clock
from app.extensions import db
from app.models.audit import AuditLog
from app.services import publications, publicity_report, staff_exports, tip_triage
from tests.admin.tipdata import make_tip
from tests.factories import load_bundled_bank, make_campaign, make_participant
from tests.leaderboards.conftest import DAY1_EVENING, cn_name, submit_paper


def _xlsx(data: bytes) -> list[list]:
    ws = load_workbook(io.BytesIO(data)).worksheets[0]
    return [list(row) for row in ws.iter_rows(values_only=True)]


def _csv(data: bytes) -> list[list[str]]:
    assert data.startswith("\ufeff".encode())  # BOM: Excel and WPS pick UTF-8
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def _played(n: int = 6):  # noqa: ANN202
    load_bundled_bank()
    campaign = make_campaign()
    rng = random.Random(3)
    people = [
        make_participant(campaign, openid=f"o_exp_{i}", name=cn_name(i), region="11" if i % 2 else "12",
                         phone=f"1380000{i:04d}")
        for i in range(n)
    ]  # fmt: skip
    for i, e in enumerate(people):
        clock.freeze(DAY1_EVENING + timedelta(minutes=i))
        submit_paper(e, campaign, DAY1_EVENING + timedelta(minutes=i), rng)
    clock.freeze(None)
    return campaign, people


def test_leaderboards_in_both_formats(app):
    with app.app_context():
        campaign, _people = _played()
        teams = staff_exports.team_leaderboard(campaign)
        rows = _xlsx(teams.render("xlsx"))
        assert tuple(rows[0]) == staff_exports.TEAM_COLUMNS and len(rows) == 1 + len(campaign.teams)
        played = {t.name for t in campaign.teams if t.code in ("11", "12")}
        assert rows[1][0] == "1" and {rows[1][2], rows[2][2]} == played  # the two teams that played lead
        assert _csv(teams.render("csv")) == [["" if c is None else str(c) for c in r] for r in rows]
        people = _xlsx(staff_exports.individual_leaderboard(campaign).render("xlsx"))
        assert len(people) == 7 and all("*" in row[1] or "某" in row[1] for row in people[1:])
        full_names = {cn_name(i) for i in range(6)}
        assert not full_names & {row[1] for row in people[1:]}  # masked, never the full name


def test_prize_list_has_names_and_phones_and_is_audited(app):
    with app.app_context():
        campaign, _people = _played()
        after = campaign.ends_at + timedelta(hours=1)
        publications.freeze_final(campaign, after)
        db.session.commit()
        sheet = staff_exports.final_individuals(campaign, actor="analyst-zhao", now=after)
        rows = _xlsx(sheet.render("xlsx"))
        assert tuple(rows[0]) == staff_exports.FINAL_COLUMNS and len(rows) == 7
        assert {r[1] for r in rows[1:]} == {cn_name(i) for i in range(6)}
        assert all(r[2].startswith("1380000") for r in rows[1:])
        actions = db.session.scalars(select(AuditLog.action).where(AuditLog.actor == "analyst-zhao")).all()
        assert actions == ["export.final_individuals"]
        teams = _xlsx(staff_exports.final_teams(campaign).render("xlsx"))
        assert [r[5] for r in teams[1:11]] == ["是"] * 10 and teams[11][5] is None


def test_tip_export_is_filtered_neutralised_and_audited(app, tmp_path):
    app.config["MEDIA_DIR"] = str(tmp_path)
    with app.app_context():
        monday = datetime(2026, 6, 15, 2, 0, tzinfo=UTC)
        evil = make_tip(created_at=monday, target='=HYPERLINK("http://evil.example","点我")', category="app")
        make_tip(created_at=monday, category="person", name="李四", phone="13912345678")
        sheet = staff_exports.tips(tip_triage.TipFilter(category="app"), actor="officer-li", now=monday)
        rows = _xlsx(sheet.render("xlsx"))
        assert len(rows) == 2 and rows[1][0] == evil.receipt
        assert rows[1][4].startswith("'=HYPERLINK")  # shown as text, never run as a formula
        assert "李四" not in str(rows) and "13912345678" not in str(rows)  # no identities in exports
        csv_rows = _csv(sheet.render("csv"))
        assert csv_rows[1][4].startswith("'=")
        audited = db.session.scalar(
            select(func.count()).where(AuditLog.action == "tip.export", AuditLog.actor == "officer-li")
        )
        assert audited == 1


def test_publicity_form_reproduces_attachment_3_with_known_figures(app, tmp_path):
    app.config["MEDIA_DIR"] = str(tmp_path)
    with app.app_context():
        campaign, people = _played(5)
        clock.freeze(DAY1_EVENING + timedelta(days=1))
        submit_paper(people[0], campaign, DAY1_EVENING + timedelta(days=1), random.Random(1))  # same person
        make_tip(created_at=DAY1_EVENING)
        make_tip(created_at=DAY1_EVENING + timedelta(hours=2))
        make_tip(created_at=campaign.starts_at - timedelta(days=3))  # before the campaign: not counted
        fig = publicity_report.figures(campaign, campaign.ends_at + timedelta(days=1))
        assert (fig.participants, fig.papers, fig.tips, fig.interactions) == (5, 6, 2, 8)
        data = publicity_report.render_xlsx(campaign, fig)
        wb = load_workbook(io.BytesIO(data))
        ws = wb.worksheets[0]
        assert ws["A1"].value == "2026 年防范非法集资宣传月活动情况统计表"
        assert ws["A2"].value == "填报单位："
        groups = [ws.cell(row=3, column=c).value for c in range(1, 10)]
        assert groups[0] == "“七进”等宣传活动" and groups[3].startswith("网络宣传") and groups[8] == "其他"
        assert "A3:B3" in {str(r) for r in ws.merged_cells.ranges}
        assert "D3:G3" in {str(r) for r in ws.merged_cells.ranges}
        subs = [ws.cell(row=4, column=c).value for c in range(1, 10)]
        assert subs == list(publicity_report.COLUMNS) and len(subs) == 9
        values = {subs[c - 1]: ws.cell(row=5, column=c).value for c in range(1, 10)}
        assert values["互动宣传覆盖人数(人次)"] == 5 and values["点击量、阅读量、转发量(次)"] == 8
        assert [k for k, v in values.items() if v is not None] == [
            "点击量、阅读量、转发量(次)",
            "互动宣传覆盖人数(人次)",
        ]  # the rest is left for staff
        assert any("收到举报线索 2 条" in (ws.cell(row=r, column=1).value or "") for r in range(6, 12))
        flat = _csv(publicity_report.render_csv(campaign, fig))
        assert flat[2][5] == "网络宣传(网站、微信、微博、抖音、快手、短信等)-互动宣传覆盖人数(人次)"
        assert flat[3][5] == "5"
