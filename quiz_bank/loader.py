"""Read (and write) the bundled bank files: single.json, judge.json and multiple.json."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from quiz_bank.schema import BankFormatError, Question, QuestionType

DATA_DIR = Path(__file__).parent / "data"
FILE_NAMES: dict[QuestionType, str] = {
    QuestionType.SINGLE: "single.json",
    QuestionType.JUDGE: "judge.json",
    QuestionType.MULTIPLE: "multiple.json",
}


def read_items(path: Path | str) -> list[object]:
    """The raw JSON array of a bank file; BankFormatError if it is not valid JSON or not an array."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise BankFormatError(f"{path.name}: invalid JSON at line {exc.lineno}: {exc.msg}") from None
    except UnicodeDecodeError:
        raise BankFormatError(f"{path.name}: not UTF-8 text") from None
    if not isinstance(data, list):
        raise BankFormatError(f"{path.name}: expected a JSON array of questions")
    return data


def load_file(path: Path | str) -> list[Question]:
    """All questions of one bank file, in file order."""
    path = Path(path)
    questions = []
    for index, item in enumerate(read_items(path)):
        try:
            questions.append(Question.from_dict(item))
        except BankFormatError as exc:
            raise BankFormatError(f"{path.name} item #{index}: {exc}") from None
    return questions


def load_bank(data_dir: Path | str = DATA_DIR) -> list[Question]:
    """Single, judge and multiple questions, in that order; a missing file contributes nothing."""
    data_dir = Path(data_dir)
    questions: list[Question] = []
    for name in FILE_NAMES.values():
        path = data_dir / name
        if path.exists():
            questions.extend(load_file(path))
    return questions


def bank_by_id(questions: Iterable[Question]) -> dict[str, Question]:
    """Index questions by id; a repeated id is a BankFormatError rather than a silent overwrite."""
    by_id: dict[str, Question] = {}
    for q in questions:
        if q.id in by_id:
            raise BankFormatError(f"duplicate question id {q.id!r}")
        by_id[q.id] = q
    return by_id


def save_file(path: Path | str, questions: Iterable[Question]) -> None:
    """Write questions as the documented format (UTF-8, ensure_ascii=False, indent=1)."""
    text = json.dumps([q.to_dict() for q in questions], ensure_ascii=False, indent=1)
    Path(path).write_text(text + "\n", encoding="utf-8")
