"""Formula injection in every spreadsheet export: a cell that starts with =, +, -, @, a tab or a carriage
return is neutralised (a leading apostrophe) in .xlsx and .csv: bank export, results export, tips export
(CLI), and the dashboard's exports (leaderboards, prize list, tips, publicity report)."""

from __future__ import annotations

import csv
import io
import random
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app import clock
from app.extensions import db
from app.models.participant import Participant
from app.services import bank, publications, publicity_report, staff_exports, tip_triage
from quiz_bank import tabular
from tests.leaderboards.conftest import populate
from tests.tips.conftest import file_tip

PAYLOADS = [
    '=HYPERLINK("http://evil.example","点我领奖")',
    "+SUM(1,2)",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(A1:A9)",
    "\t=1+1",
    "\r=1+1",
]
DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def cells_xlsx(data: bytes | Path) -> list:
    wb = load_workbook(io.BytesIO(data) if isinstance(data, bytes) else data)
    found = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"formula cell {cell.coordinate}: {cell.value!r}"
                found.append(cell.value)
    return found


def cells_csv(data: bytes | Path) -> list[str]:
    text = (data if isinstance(data, bytes) else data.read_bytes()).decode("utf-8-sig")
    return [cell for row in csv.reader(io.StringIO(text, newline="")) for cell in row]


def assert_neutral(cells: list, must_contain: list[str]) -> None:
    texts = [c for c in cells if isinstance(c, str)]
    bad = [c for c in texts if c.startswith(DANGEROUS)]
    assert not bad, bad
    for payload in must_contain:  # the payload is there, defused, not dropped
        assert any(c.lstrip("'").strip() == payload.strip() for c in texts), (payload, texts[:40])


@pytest.fixture
def hostile_data(app, lb_campaign, emu):
    """Residents whose work units and tips carry formula payloads; final results frozen."""
    people = populate(lb_campaign, n_people=8, days=1, seed=5)
    for enrollment, payload in zip(people, PAYLOADS * 2, strict=False):
        enrollment.participant.work_unit = payload.strip()
    db.session.commit()
    for i, payload in enumerate(PAYLOADS):
        file_tip(
            app, openid=f"o_evil_{i}", target=payload.strip() or "x", story=f"{payload} 经过", place=payload
        )
    end = lb_campaign.ends_at + timedelta(minutes=1)
    clock.freeze(end)
    publications.freeze_final(lb_campaign, end)
    db.session.commit()
    return lb_campaign


def test_bank_export(app, tmp_path):
    from tests.factories import load_bundled_bank

    with app.app_context():
        load_bundled_bank()
        questions = bank.all_questions()[:6]
        hostile = [
            replace(q, stem=p + q.stem, explanation=p) for q, p in zip(questions, PAYLOADS, strict=True)
        ]
        tabular.export_xlsx(hostile, tmp_path / "bank.xlsx")
        tabular.export_csv(hostile, tmp_path / "bank.csv")
    assert_neutral(cells_xlsx(tmp_path / "bank.xlsx"), [p.strip() for p in PAYLOADS[:4]])
    assert_neutral(cells_csv(tmp_path / "bank.csv"), [p.strip() for p in PAYLOADS[:4]])


@pytest.mark.parametrize("ext", ["xlsx", "csv"])
def test_results_export(app, hostile_data, tmp_path, ext):
    path = tmp_path / f"results.{ext}"
    out = app.test_cli_runner().invoke(args=["results", "export", str(path), "--campaign", "test"])
    assert out.exit_code == 0, out.output
    cells = cells_xlsx(path) if ext == "xlsx" else cells_csv(path)
    units = {p.work_unit for p in db.session.scalars(select(Participant))} - {None}
    assert_neutral(cells, [u for u in units if any(u in c for c in map(str, cells))] or [])
    assert any(str(c).startswith("'") for c in cells)  # at least one payload reached the file, defused


def test_tips_cli_export(app, hostile_data, tmp_path):
    path = tmp_path / "tips.csv"
    out = app.test_cli_runner().invoke(
        args=["tips", "export", "-o", str(path), "--actor", "reliability-test"]
    )
    assert out.exit_code == 0, out.output
    assert_neutral(
        cells_csv(path), ['=HYPERLINK("http://evil.example","点我领奖")', "+SUM(1,2)", "@SUM(A1:A9)"]
    )


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_dashboard_exports(app, hostile_data, fmt):
    now = clock.now()
    sheets = [
        staff_exports.team_leaderboard(hostile_data),
        staff_exports.individual_leaderboard(hostile_data),
        staff_exports.final_teams(hostile_data),
        staff_exports.final_individuals(hostile_data, actor="reliability-test", now=now),
        staff_exports.tips(tip_triage.TipFilter(), actor="reliability-test", now=now),
    ]
    read = cells_xlsx if fmt == "xlsx" else cells_csv
    for sheet in sheets:
        assert_neutral(read(sheet.render(fmt)), [])
    tips_cells = read(sheets[-1].render(fmt))
    assert_neutral(tips_cells, ['=HYPERLINK("http://evil.example","点我领奖")', "+SUM(1,2)", "@SUM(A1:A9)"])
    prize_cells = read(sheets[3].render(fmt))
    assert any(str(c).startswith("'") for c in prize_cells)  # work units with payloads, defused
    fig = publicity_report.figures(hostile_data, now)
    report = (
        publicity_report.render_xlsx(hostile_data, fig)
        if fmt == "xlsx"
        else publicity_report.render_csv(hostile_data, fig)
    )
    assert_neutral(read(report), [])
    db.session.rollback()


def test_random_payloads_are_always_defused():
    rng = random.Random(3)
    for _ in range(2000):
        text = rng.choice(DANGEROUS + ("", "a", "'", "张")) + "".join(
            rng.choice("=+-@'\t\r x1") for _ in range(5)
        )
        safe = tabular.neutralize(text)
        assert not safe.startswith(DANGEROUS)
        assert safe.removeprefix("'") == text or safe == text
