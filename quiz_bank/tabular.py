"""Excel (.xlsx) and CSV export/import of questions for staff, one question per row."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.worksheet.datavalidation import DataValidation

from quiz_bank.answers import InvalidAnswer, parse_judge, parse_letters
from quiz_bank.schema import Question, QuestionType, short_title
from quiz_bank.sources import DOCUMENTS, cn_number
from quiz_bank.validator import validate

OPTION_LETTERS = "ABCDEF"
COLUMNS: tuple[str, ...] = (
    "编号", "题型", "题干", *(f"选项{k}" for k in OPTION_LETTERS),
    "答案", "解析", "出处", "原文", "标签", "状态",
)  # fmt: skip
REQUIRED_COLUMNS: tuple[str, ...] = ("编号", "题型", "题干", "选项A", "选项B", "答案", "解析", "出处")
TAG_SEPARATOR = "、"
STATUS_LABELS = {"active": "启用", "retired": "停用"}

_TYPES = {t.label: t for t in QuestionType} | {f"{t.label}题": t for t in QuestionType}
_TYPES |= {t.value: t for t in QuestionType}
_STATUSES = {label: status for status, label in STATUS_LABELS.items()} | {s: s for s in STATUS_LABELS}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_TAG_SPLIT = re.compile(r"[、,，;；/]+")
_REGULATION = re.compile(
    r"^(?:regulation-737|《?(?:防范和处置非法集资)?条例》?)(?:\(国务院令第737号\))?"
    r"第([0-9]{1,3}|[一二三四五六七八九十]{1,4})条$"
)
_COLUMN_WIDTHS = {"题干": 48, "解析": 40, "原文": 40, "出处": 22, "标签": 16}


@dataclass(frozen=True)
class RowError:
    row: int
    message: str

    def __str__(self) -> str:
        return f"第{self.row}行：{self.message}"


def _protect(text: str) -> str:
    """Neutralise spreadsheet formula injection: a leading = + - @ tab or CR gets an apostrophe."""
    text = ILLEGAL_CHARACTERS_RE.sub("", text)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _unprotect(text: str) -> str:
    return text[1:] if text.startswith("'") and text[1:].startswith(_FORMULA_START) else text


def question_row(q: Question) -> list[str]:
    """The cells of one question, in COLUMNS order, already neutralised for spreadsheets."""
    cells = [
        q.id, q.type.label, q.stem, *(q.options.get(k, "") for k in OPTION_LETTERS),
        q.answer, q.explanation, q.source_label, q.quote or "", TAG_SEPARATOR.join(q.tags),
        STATUS_LABELS.get(q.status, q.status),
    ]  # fmt: skip
    return [_protect(cell) for cell in cells]


@dataclass(frozen=True)
class SheetSpec:
    """How a staff spreadsheet looks: title, columns, drop-downs, widths, wrapped columns."""

    title: str
    columns: Sequence[str]
    dropdowns: Mapping[str, str] = field(default_factory=dict)  # column -> "a,b,c"
    allow_blank: bool = True
    validated_rows: int = 1000
    widths: Mapping[str, int] = field(default_factory=dict)
    default_width: int = 12
    wrap: Sequence[str] = ()


def write_xlsx(spec: SheetSpec, rows: Iterable[Sequence[str]], path: Path | str) -> None:
    """One sheet, bold frozen header, drop-downs and widths per the spec (cells already neutralised)."""
    from openpyxl.styles import Alignment

    wb = Workbook()
    ws = wb.worksheets[0]
    ws.title = spec.title
    ws.append(list(spec.columns))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append(list(row))
    for name in spec.wrap:
        col = spec.columns.index(name) + 1
        for row in ws.iter_rows(min_row=2, min_col=col, max_col=col):
            row[0].alignment = Alignment(wrap_text=True, vertical="top")
    last = max(ws.max_row, spec.validated_rows)
    for column, choices in dict(spec.dropdowns).items():
        letter = ws.cell(row=1, column=spec.columns.index(column) + 1).column_letter
        check = DataValidation(type="list", formula1=f'"{choices}"', allow_blank=spec.allow_blank)
        check.add(f"{letter}2:{letter}{last}")
        ws.add_data_validation(check)
    widths = dict(spec.widths)
    for index, name in enumerate(spec.columns, start=1):
        ws.column_dimensions[ws.cell(row=1, column=index).column_letter].width = widths.get(
            name, spec.default_width
        )
    ws.freeze_panes = "A2"
    wb.save(path)


def write_csv(columns: Sequence[str], rows: Iterable[Sequence[str]], path: Path | str) -> None:
    """UTF-8 with BOM so Excel and WPS detect the encoding."""
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(list(columns))
        writer.writerows(rows)


BANK_SHEET = SheetSpec(
    title="题库",
    columns=COLUMNS,
    dropdowns={"题型": "单选,判断,多选", "状态": "启用,停用"},
    widths=_COLUMN_WIDTHS,
)


def export_xlsx(questions: Iterable[Question], path: Path | str) -> None:
    """One sheet, header row frozen, with drop-downs for 题型 and 状态."""
    write_xlsx(BANK_SHEET, (question_row(q) for q in questions), path)


def export_csv(questions: Iterable[Question], path: Path | str) -> None:
    """UTF-8 with BOM so Excel and WPS detect the encoding."""
    write_csv(COLUMNS, (question_row(q) for q in questions), path)


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def _rows_to_dicts(rows: Iterable[Sequence[Any]]) -> list[dict[str, str]]:
    grid = [[_cell_text(v) for v in row] for row in rows]
    if not grid:
        return []
    header = [h.strip() for h in grid[0]]
    while len(grid) > 1 and not any(c.strip() for c in grid[-1]):
        grid.pop()
    records = []
    for row in grid[1:]:
        row = row + [""] * (len(header) - len(row))
        records.append({name: cell for name, cell in zip(header, row, strict=False) if name})
    return records


def read_table(path: Path | str) -> list[dict[str, str]]:
    """Rows under the header as {column name: text}; list index i is spreadsheet row i + 2.

    Blank rows inside the table are kept (as all-empty dicts) so row numbers stay as Excel shows them.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        wb = load_workbook(path, read_only=True, data_only=True)
        try:
            return _rows_to_dicts(wb.worksheets[0].iter_rows(values_only=True))
        finally:
            wb.close()
    if suffix == ".csv":
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = raw.decode("gb18030", errors="replace")  # saved by Excel/WPS as "ANSI" on Chinese Windows
        return _rows_to_dicts(csv.reader(io.StringIO(text, newline="")))
    raise ValueError(f"unsupported file type {path.suffix!r}: use .xlsx or .csv")


@cache
def _notice_names() -> dict[str, str]:
    names: dict[str, str] = {}
    for doc, (_file, title) in DOCUMENTS.items():
        if doc == "regulation-737":
            continue
        for name in (doc, title, short_title(doc)):
            names[name] = doc
            names[name.strip("《》")] = doc
    return names


def parse_source(text: str) -> dict[str, Any]:
    """Source from a 出处 cell: 条例第N条 / 《条例》第二十五条 -> Decree 737; a notice's title; else other.

    Raises ValueError with a Chinese message for a reference to the decree without a readable article.
    """
    squashed = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))
    m = _REGULATION.match(squashed)
    if m:
        number = m.group(1)
        try:
            article = int(number) if number.isdigit() else cn_number(number)
        except KeyError:
            raise ValueError(
                f"出处“{text}”中的条号无法识别，请写成“条例第25条”或“《条例》第二十五条”"
            ) from None
        return {"doc": "regulation-737", "article": article}
    if "防范和处置非法集资条例" in squashed or squashed.startswith(("条例", "《条例》", "regulation-737")):
        raise ValueError(f"出处“{text}”须写明条号，如“条例第25条”或“《条例》第二十五条”")
    doc = _notice_names().get(squashed)
    if doc:
        return {"doc": doc}
    return {"doc": "other", "title": text}


def _row_question(row: Mapping[str, str]) -> tuple[Question | None, list[str]]:
    problems: list[str] = []
    qtype = _TYPES.get(row["题型"])
    if qtype is None:
        problems.append(f"题型“{row['题型']}”无效，须为 单选、判断 或 多选")

    options = {k: row.get(f"选项{k}", "") for k in OPTION_LETTERS}
    options = {k: v for k, v in options.items() if v}
    if qtype is QuestionType.JUDGE and options:
        problems.append("判断题不要填写选项（选项固定为 对/错）")

    answer = row["答案"]
    try:
        if qtype is QuestionType.JUDGE:
            answer = parse_judge(answer)
        elif qtype is not None:
            answer = parse_letters(answer)
    except InvalidAnswer:
        if qtype is QuestionType.JUDGE:
            problems.append(f"答案“{answer}”无效：判断题填 对 或 错（也可填 √ 或 ×）")
        else:
            problems.append(f"答案“{answer}”无效：填写选项字母，如 B 或 ACD")

    source: dict[str, Any] = {}
    if not row["出处"]:
        problems.append("出处不能为空，如“条例第25条”")
    else:
        try:
            source = parse_source(row["出处"])
        except ValueError as exc:
            problems.append(str(exc))

    status = _STATUSES.get(row.get("状态", "") or "启用")
    if status is None:
        problems.append(f"状态“{row['状态']}”无效，须为 启用 或 停用")

    if problems or qtype is None or status is None:
        return None, problems
    tags = tuple(t.strip() for t in _TAG_SPLIT.split(row.get("标签", "")) if t.strip())
    question = Question(
        id=row["编号"],
        type=qtype,
        stem=row["题干"],
        options={} if qtype is QuestionType.JUDGE else options,
        answer=answer,
        explanation=row["解析"],
        source=source,
        quote=row.get("原文") or None,
        tags=tags,
        status=status,
    )
    return question, []


def rows_to_questions(rows: Sequence[Mapping[str, Any]]) -> tuple[list[Question], list[RowError]]:
    """Questions from table rows plus every problem found, by spreadsheet row (header = row 1).

    Each row gets the validator's per-question checks (including the verbatim quote) and the table as a
    whole the cross-question ones (repeated ids, duplicate stems). Blank rows are skipped. The caller
    imports nothing unless the error list is empty.
    """
    if not rows:
        return [], [RowError(1, "表格中没有题目")]
    missing = [name for name in REQUIRED_COLUMNS if name not in rows[0]]
    if missing:
        return [], [RowError(1, f"表头缺少列：{'、'.join(missing)}（表头应为：{'、'.join(COLUMNS)}）")]

    errors: list[RowError] = []
    built: list[tuple[str, Question]] = []
    row_of_label: dict[str, int] = {}
    for index, raw in enumerate(rows):
        number = index + 2
        row = {name: _unprotect(_cell_text(value).strip()).strip() for name, value in raw.items()}
        if not any(row.values()):
            continue
        question, problems = _row_question(row)
        errors += [RowError(number, message) for message in problems]
        if question is not None:
            label = f"第{number}行"
            row_of_label[label] = number
            built.append((label, question))
    errors += [RowError(row_of_label[issue.file], issue.message) for issue in validate(built)]
    errors.sort(key=lambda e: e.row)
    return [q for _label, q in built], errors


def neutralize(text: str) -> str:
    """Public form of the formula-injection guard, for other exports (leaderboards, tips)."""
    return _protect(text)


def export_by_extension(path: str, to_xlsx: Callable[[str], None], to_csv: Callable[[str], None]) -> bool:
    """Call the writer the file name asks for; False when it ends neither in .xlsx nor .csv."""
    if path.lower().endswith(".xlsx"):
        to_xlsx(path)
    elif path.lower().endswith(".csv"):
        to_csv(path)
    else:
        return False
    return True
