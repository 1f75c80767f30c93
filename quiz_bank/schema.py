"""The question record: types, fields, source labels and the JSON mapping."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from quiz_bank.sources import DOCUMENTS

JUDGE_KEYS: tuple[str, str] = ("对", "错")
STATUSES: tuple[str, str] = ("active", "retired")
REQUIRED_FIELDS: tuple[str, ...] = ("type", "stem", "answer", "explanation", "source")
KNOWN_FIELDS: frozenset[str] = frozenset(
    {"id", "type", "stem", "options", "answer", "explanation", "source", "quote", "tags", "status"}
)

_CN_DIGITS = "零一二三四五六七八九"


class BankFormatError(ValueError):
    """A question record (or bank file) that cannot be read as the documented format."""


class QuestionType(StrEnum):
    SINGLE = "single"
    JUDGE = "judge"
    MULTIPLE = "multiple"

    @property
    def label(self) -> str:
        """The Chinese name staff and residents see: 单选, 判断 or 多选."""
        return _TYPE_LABELS[self]


_TYPE_LABELS = {QuestionType.SINGLE: "单选", QuestionType.JUDGE: "判断", QuestionType.MULTIPLE: "多选"}


def chinese_numeral(n: int) -> str:
    """Write 1-99 as a Chinese numeral the way article numbers read (十, 十一, 二十五)."""
    if not 0 < n < 100:
        return str(n)
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else _CN_DIGITS[tens] + "十")
    return head + (_CN_DIGITS[ones] if ones else "")


def short_title(doc: str) -> str:
    """A bundled document's title without its trailing parenthetical (e.g. the decree number)."""
    title = DOCUMENTS[doc][1]
    if title.endswith("）") and "（" in title:
        title = title[: title.rindex("（")]
    return title


def format_source(source: Mapping[str, Any]) -> str:
    """Readable source: 《条例》第二十五条, a notice's short title, or the title of another source."""
    doc = source.get("doc", "")
    if doc == "regulation-737":
        article = source.get("article")
        if isinstance(article, int) and not isinstance(article, bool):
            return f"《条例》第{chinese_numeral(article)}条"
        return "《条例》"
    if doc in DOCUMENTS:
        return short_title(doc)
    return str(source.get("title") or doc)


@dataclass(frozen=True)
class Question:
    id: str
    type: QuestionType
    stem: str
    options: dict[str, str]
    answer: str
    explanation: str
    source: dict[str, Any]
    quote: str | None
    tags: tuple[str, ...]
    status: str = "active"

    def __hash__(self) -> int:
        # The generated hash would fail on the dict fields; equal questions share these values.
        return hash((self.id, self.type, self.stem, self.answer))

    @property
    def is_choice(self) -> bool:
        return self.type is not QuestionType.JUDGE

    @property
    def option_keys(self) -> tuple[str, ...]:
        """Option keys in order; a judge question's are always ("对", "错")."""
        if self.type is QuestionType.JUDGE:
            return JUDGE_KEYS
        return tuple(sorted(self.options))

    @property
    def answer_keys(self) -> frozenset[str]:
        """The correct option keys: letters for choices, {"对"} or {"错"} for judge."""
        if self.type is QuestionType.JUDGE:
            return frozenset({self.answer})
        return frozenset(self.answer)

    @property
    def source_label(self) -> str:
        return format_source(self.source)

    @classmethod
    def from_dict(cls, d: Any) -> Question:
        """Build from a bank JSON object; BankFormatError names the offending field.

        Only structure is checked here (presence and JSON types); content rules live in the validator.
        """
        if not isinstance(d, Mapping):
            raise BankFormatError(f"question must be a JSON object, got {type(d).__name__}")
        qid = d.get("id")
        if not isinstance(qid, str):
            raise BankFormatError("question is missing a string 'id'")
        where = f"question {qid!r}"
        missing = [f"'{field}'" for field in REQUIRED_FIELDS if field not in d]
        if missing:
            what = f"field {missing[0]} is" if len(missing) == 1 else f"fields {', '.join(missing)} are"
            raise BankFormatError(f"{where}: {what} missing")

        def text(field: str) -> str:
            value = d[field]
            if not isinstance(value, str):
                raise BankFormatError(
                    f"{where}: field '{field}' must be a string, got {type(value).__name__}"
                )
            return value

        raw_type = text("type")
        try:
            qtype = QuestionType(raw_type)
        except ValueError:
            raise BankFormatError(
                f"{where}: unknown type {raw_type!r} (expected single, judge or multiple)"
            ) from None

        options = d.get("options", {})
        if not isinstance(options, Mapping) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in options.items()
        ):
            raise BankFormatError(f"{where}: 'options' must be an object mapping letters to strings")

        source = d.get("source")
        if not isinstance(source, Mapping) or not isinstance(source.get("doc"), str):
            raise BankFormatError(f"{where}: 'source' must be an object with a string 'doc'")
        article = source.get("article")
        if article is not None and (not isinstance(article, int) or isinstance(article, bool)):
            raise BankFormatError(f"{where}: 'source.article' must be an integer")
        if source.get("title") is not None and not isinstance(source["title"], str):
            raise BankFormatError(f"{where}: 'source.title' must be a string")

        quote = d.get("quote")
        if quote is not None and not isinstance(quote, str):
            raise BankFormatError(f"{where}: 'quote' must be a string or null")

        tags = d.get("tags", [])
        if not isinstance(tags, list | tuple) or not all(isinstance(t, str) for t in tags):
            raise BankFormatError(f"{where}: 'tags' must be a list of strings")

        status = d.get("status", "active")
        if status not in STATUSES:
            raise BankFormatError(f"{where}: 'status' must be 'active' or 'retired', got {status!r}")

        return cls(
            id=qid,
            type=qtype,
            stem=text("stem"),
            options=dict(options),
            answer=text("answer"),
            explanation=text("explanation"),
            source=dict(source),
            quote=quote,
            tags=tuple(tags),
            status=status,
        )

    def to_dict(self) -> dict[str, Any]:
        """The bank JSON object; `status` is written only for retired questions."""
        d: dict[str, Any] = {
            "id": self.id,
            "type": self.type.value,
            "stem": self.stem,
            "options": dict(self.options),
            "answer": self.answer,
            "explanation": self.explanation,
            "source": dict(self.source),
            "quote": self.quote,
            "tags": list(self.tags),
        }
        if self.status != "active":
            d["status"] = self.status
        return d
