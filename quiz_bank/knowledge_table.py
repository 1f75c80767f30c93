"""Excel (.xlsx) and CSV export/import of knowledge cards for staff, one card per row."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from quiz_bank.knowledge import TOPICS, Card, CardFormatError, validate_cards
from quiz_bank.schema import format_source

# The spreadsheet helpers of the question bank fit cards as well: same reader, same formula guard.
from quiz_bank.tabular import RowError, SheetSpec, parse_source, read_table, write_csv, write_xlsx
from quiz_bank.tabular import _cell_text as cell_text
from quiz_bank.tabular import _protect as protect
from quiz_bank.tabular import _unprotect as unprotect

COLUMNS: tuple[str, ...] = ("编号", "标题", "正文", "关键词", "同义词", "主题", "出处", "原文", "链接", "提示")  # fmt: skip
REQUIRED_COLUMNS: tuple[str, ...] = ("编号", "标题", "正文", "关键词", "主题", "出处")
TERM_SEPARATOR = "、"
_TERM_SPLIT = re.compile(r"[、,，;；\n]+")
_COLUMN_WIDTHS = {"标题": 18, "正文": 60, "关键词": 30, "同义词": 30, "主题": 14, "出处": 24, "原文": 40, "链接": 30,
                  "提示": 30}  # fmt: skip

__all__ = ["COLUMNS", "CardTable", "RowError", "card_row", "export_csv", "export_xlsx", "read_table",
           "rows_to_cards"]  # fmt: skip


def card_row(card: Card) -> list[str]:
    """The cells of one card, in COLUMNS order, already neutralised for spreadsheets."""
    cells = [
        card.id, card.title, card.body, TERM_SEPARATOR.join(card.keywords), TERM_SEPARATOR.join(card.synonyms),
        card.topic, format_source(_source_dict(card)), card.quote or "", card.link or "", card.tip or "",
    ]  # fmt: skip
    return [protect(cell) for cell in cells]


def _source_dict(card: Card) -> dict[str, Any]:
    return {"doc": card.source.doc, "article": card.source.article, "title": card.source.title}


def export_xlsx(cards: Iterable[Card], path: Path | str) -> None:
    """One sheet, header row frozen, a drop-down for 主题, the body wrapped."""
    spec = SheetSpec(
        title="防非知识",
        columns=COLUMNS,
        dropdowns={"主题": ",".join(TOPICS)},
        allow_blank=False,
        validated_rows=500,
        widths=_COLUMN_WIDTHS,
        default_width=10,
        wrap=("正文",),
    )
    write_xlsx(spec, (card_row(card) for card in cards), path)


def export_csv(cards: Iterable[Card], path: Path | str) -> None:
    """UTF-8 with BOM so Excel and WPS detect the encoding."""
    write_csv(COLUMNS, (card_row(card) for card in cards), path)


def _terms(cell: str) -> list[str]:
    return [t.strip() for t in _TERM_SPLIT.split(cell) if t.strip()]


def _row_card(row: Mapping[str, str]) -> tuple[Card | None, list[str]]:
    problems = []
    for name in REQUIRED_COLUMNS:
        if not row.get(name):
            problems.append(f"{name}不能为空")
    source: dict[str, Any] = {}
    if row.get("出处"):
        try:
            source = parse_source(row["出处"])
        except ValueError as exc:
            problems.append(str(exc))
    if problems:
        return None, problems
    data: dict[str, Any] = {
        "id": row["编号"], "title": row["标题"], "body": row["正文"].replace("\r\n", "\n"),
        "keywords": _terms(row["关键词"]), "synonyms": _terms(row.get("同义词", "")), "topic": row["主题"],
        "source": source,
    }  # fmt: skip
    for field, column in (("quote", "原文"), ("link", "链接"), ("tip", "提示")):
        if row.get(column):
            data[field] = row[column]
    try:
        return Card.from_dict(data), []
    except CardFormatError as exc:
        return None, [str(exc)]


@dataclass(frozen=True)
class CardTable:
    """The cards read from a table, every problem found, and the spreadsheet row of each card id."""

    cards: list[Card]
    errors: list[RowError]
    row_of: dict[str, int]


def rows_to_cards(rows: Sequence[Mapping[str, Any]]) -> CardTable:
    """Cards from table rows plus every problem found, by spreadsheet row (header = row 1).

    Each row gets the card rules of quiz_bank.knowledge (including the verbatim quote) and the table as a
    whole the cross-card ones (repeated ids and titles). Blank rows are skipped. The caller imports nothing
    unless the error list is empty.
    """
    if not rows:
        return CardTable([], [RowError(1, "表格中没有知识卡片")], {})
    missing = [name for name in REQUIRED_COLUMNS if name not in rows[0]]
    if missing:
        return CardTable(
            [], [RowError(1, f"表头缺少列：{'、'.join(missing)}（表头应为：{'、'.join(COLUMNS)}）")], {}
        )
    errors: list[RowError] = []
    built: list[tuple[str, Card]] = []
    row_of_label: dict[str, int] = {}
    for index, raw in enumerate(rows):
        number = index + 2
        row = {name: unprotect(cell_text(value).strip()).strip() for name, value in raw.items()}
        if not any(row.values()):
            continue
        card, problems = _row_card(row)
        errors += [RowError(number, message) for message in problems]
        if card is not None:
            label = f"第{number}行"
            row_of_label[label] = number
            built.append((label, card))
    errors += [RowError(row_of_label[i.file], f"{i.item}: {i.message}") for i in validate_cards(built)]
    errors.sort(key=lambda e: e.row)
    row_of: dict[str, int] = {}
    for label, card in built:
        row_of.setdefault(card.id, row_of_label[label])
    return CardTable([card for _label, card in built], errors, row_of)
