"""`flask knowledge validate|load|import|export|unmatched`: staff manage the cards residents see."""

from __future__ import annotations

import csv
import dataclasses
import json

import openpyxl
from sqlalchemy import func, select

from app.extensions import db
from app.models.knowledge import KnowledgeCard, UnmatchedQuestion
from app.services import knowledge
from quiz_bank.knowledge import DEFAULT_PATH, load_cards
from quiz_bank.knowledge_table import COLUMNS, card_row, read_table, rows_to_cards
from tests.support.wechat import wechat_client

CARDS = load_cards()


def cli(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def stored(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(KnowledgeCard))


def write_csv(path, cards, extra_rows=()):
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(COLUMNS)
        writer.writerows(card_row(c) for c in cards)
        writer.writerows(extra_rows)
    return path


def test_validate_bundled_and_bad_files(app, tmp_path):
    result = cli(app, "knowledge", "validate")
    assert result.exit_code == 0 and "ok: 63 cards" in result.output
    items = json.loads(DEFAULT_PATH.read_text(encoding="utf-8"))
    items[0]["topic"] = "别的"
    items[1]["quote"] = "这句话不在条例里"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")
    result = cli(app, "knowledge", "validate", str(bad))
    assert result.exit_code == 1
    assert "bad.json:K001: unknown topic '别的'" in result.output
    assert "bad.json:K002: quote is not found verbatim" in result.output
    sheet = write_csv(
        tmp_path / "cards.csv", CARDS[:2], [["K003", "", "正文", "关键词", "", "举报", "条例第16条"]]
    )
    result = cli(app, "knowledge", "validate", str(sheet))
    assert result.exit_code == 1 and "cards.csv:第4行: 标题不能为空" in result.output


def test_export_xlsx_and_csv_round_trip(app, tmp_path):
    xlsx, sheet = tmp_path / "cards.xlsx", tmp_path / "cards.csv"
    assert "exported 63 cards" in cli(app, "knowledge", "export", str(xlsx)).output
    assert cli(app, "knowledge", "export", str(sheet)).exit_code == 0
    assert cli(app, "knowledge", "export", str(tmp_path / "cards.txt")).exit_code == 1
    rows = list(openpyxl.load_workbook(xlsx).active.iter_rows(values_only=True))
    assert rows[0] == COLUMNS and len(rows) == 64
    assert rows[1][:2] == ("K001", "什么是非法集资") and rows[1][6] == "《条例》第二条"
    assert sheet.read_bytes().startswith(b"\xef\xbb\xbf")
    for path in (xlsx, sheet):
        table = rows_to_cards(read_table(path))
        assert table.errors == [] and table.cards == CARDS
    result = cli(app, "knowledge", "import", str(sheet))
    assert result.exit_code == 0 and "added 0, updated 0, unchanged 63" in result.output


def test_formula_cells_are_neutralised_and_restored(app, tmp_path):
    card = dataclasses.replace(CARDS[0], title="=HYPERLINK(1)", keywords=("+什么是非法集资",))
    cells = card_row(card)
    assert cells[1] == "'=HYPERLINK(1)" and cells[3] == "'+什么是非法集资"
    sheet = write_csv(tmp_path / "cards.csv", [card])
    assert rows_to_cards(read_table(sheet)).cards == [card]


def test_import_with_errors_writes_nothing(app, tmp_path):
    broken = dataclasses.replace(CARDS[1], topic="别的")
    duplicate = dataclasses.replace(CARDS[2], id="K002")
    sheet = write_csv(tmp_path / "cards.csv", [CARDS[0], broken, duplicate])
    result = cli(app, "knowledge", "import", str(sheet))
    assert result.exit_code == 1
    assert "cards.csv: 第3行: K002: unknown topic '别的'" in result.output
    assert "cards.csv: 第4行: K002: duplicate id (first used by K002)" in result.output
    assert "nothing imported: 2 row error(s)" in result.output
    assert stored(app) == 0


def test_import_refuses_a_title_another_card_has(app, tmp_path):
    clash = dataclasses.replace(CARDS[5], id="K100")  # same title as K006, which stays
    result = cli(app, "knowledge", "import", str(write_csv(tmp_path / "cards.csv", [clash])))
    assert result.exit_code == 1 and "第2行: K100: duplicate title (first used by K006)" in result.output
    assert stored(app) == 0


def test_import_changes_what_residents_see(app, tmp_path):
    wx = wechat_client(app)
    assert CARDS[0].body[:10] in wx.text("什么是非法集资")
    edited = dataclasses.replace(CARDS[0], body="（已更新）" + CARDS[0].body)
    new = dataclasses.replace(
        CARDS[0], id="K100", title="广场舞队长推销理财", keywords=("广场舞",), synonyms=()
    )
    new = dataclasses.replace(new, tip="广场舞队友推荐理财，先问问家人。")
    sheet = write_csv(tmp_path / "cards.csv", [edited, new])
    assert "ok: 2 cards would be imported" in cli(app, "knowledge", "import", "--dry-run", str(sheet)).output
    assert stored(app) == 0
    result = cli(app, "knowledge", "import", str(sheet))
    assert result.exit_code == 0, result.output
    assert "added 1, updated 1, unchanged 0, retired 0 (started from the 63 bundled cards)" in result.output
    assert stored(app) == 64
    assert wx.text("什么是非法集资").startswith("什么是非法集资\n（已更新）")
    assert wx.text("广场舞").startswith("广场舞队长推销理财\n")
    with app.app_context():
        assert knowledge.library().origin == "database" and len(knowledge.library().cards) == 64


def test_import_retire_missing_then_load(app, tmp_path):
    sheet = write_csv(tmp_path / "cards.csv", CARDS[1:4])
    result = cli(app, "knowledge", "import", "--retire-missing", str(sheet))
    assert "unchanged 3, retired 60" in result.output
    wx = wechat_client(app)
    assert not wx.text("什么是非法集资").startswith("什么是非法集资\n")  # K001 is retired
    with app.app_context():
        assert db.session.get(KnowledgeCard, "K001").status == "retired"
    assert "added 0, updated 60, unchanged 3" in cli(app, "knowledge", "load").output
    assert "added 0, updated 0, unchanged 63" in cli(app, "knowledge", "load").output
    assert wx.text("什么是非法集资").startswith("什么是非法集资\n")


def test_load_into_an_empty_database(app):
    assert "added 63, updated 0, unchanged 0" in cli(app, "knowledge", "load").output
    assert stored(app) == 63


def test_unmatched_lists_the_most_asked(app):
    for n, text in enumerate(["今天天气怎么样", "低保怎么申请", "今天天气怎么样？", "今天 天气怎么样"]):
        wechat_client(app, openid=f"o_{n}").text(text)
    result = cli(app, "knowledge", "unmatched", "--top", "1")
    lines = result.output.strip().splitlines()
    assert result.exit_code == 0 and len(lines) == 1
    assert lines[0].split()[0] == "3" and lines[0].endswith("今天天气怎么样")
    assert len(cli(app, "knowledge", "unmatched").output.strip().splitlines()) == 2
    assert "cleared 2" in cli(app, "knowledge", "unmatched", "--clear").output
    assert "no unanswered questions" in cli(app, "knowledge", "unmatched").output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(UnmatchedQuestion)) == 0
