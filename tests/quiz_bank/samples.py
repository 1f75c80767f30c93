"""Sample bank records and builders shared by the quiz_bank tests."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from quiz_bank.schema import Question

VALID: dict[str, dict[str, Any]] = {
    "single": {
        "id": "S001",
        "type": "single",
        "stem": "根据《防范和处置非法集资条例》，非法集资是向（  ）吸收资金的行为。",
        "options": {"A": "特定对象", "B": "不特定对象", "C": "亲属", "D": "本单位职工"},
        "answer": "B",
        "explanation": "条例第二条：非法集资是以许诺还本付息等方式向不特定对象吸收资金的行为。",
        "source": {"doc": "regulation-737", "article": 2},
        "quote": "向不特定对象吸收资金的行为",
        "tags": ["定义"],
    },
    "judge": {
        "id": "J001",
        "type": "judge",
        "stem": "因参与非法集资受到的损失，由集资参与人自行承担。",
        "options": {},
        "answer": "对",
        "explanation": "条例第二十五条规定，参与非法集资的损失由集资参与人自行承担。",
        "source": {"doc": "regulation-737", "article": 25},
        "quote": "因参与非法集资受到的损失，由集资参与人自行承担",
        "tags": ["风险自担"],
    },
    "multiple": {
        "id": "M001",
        "type": "multiple",
        "stem": "对非法集资坚持的原则包括（  ）。",
        "options": {"A": "防范为主", "B": "打早打小", "C": "先行赔付", "D": "稳妥处置"},
        "answer": "ABD",
        "explanation": "条例第四条规定坚持防范为主、打早打小、综合治理、稳妥处置的原则。",
        "source": {"doc": "regulation-737", "article": 4},
        "quote": "防范为主、打早打小、综合治理、稳妥处置",
        "tags": ["防范", "处置"],
    },
}

# Further valid questions with unrelated stems, covering every source kind.
MORE: list[dict[str, Any]] = [
    {
        "id": "S002",
        "type": "single",
        "stem": "明知是非法集资而为其提供帮助并获取经济利益的单位和个人，被称为（  ）。",
        "options": {"A": "集资参与人", "B": "非法集资协助人", "C": "金融管理部门", "D": "处置牵头部门"},
        "answer": "B",
        "explanation": "条例第三条对非法集资协助人作了定义。",
        "source": {"doc": "regulation-737", "article": 3},
        "quote": "明知是非法集资而为其提供帮助并获取经济利益的单位和个人",
        "tags": ["协助人", "定义"],
    },
    {
        "id": "J002",
        "type": "judge",
        "stem": "海淀区宣传工作方案提醒老年人：高收益意味着高风险。",
        "options": {},
        "answer": "对",
        "explanation": "海淀区方案要求向老年人重点宣传“高收益意味着高风险”。",
        "source": {"doc": "haidian-2021"},
        "quote": "高收益意味着高风险",
        "tags": ["养老", "高收益高风险"],
    },
    {
        "id": "J003",
        "type": "judge",
        "stem": "凌源市宣传月的主题与防范非法集资无关。",
        "options": {},
        "answer": "错",
        "explanation": "凌源市宣传月主题为“学法用法护小家·防非处非靠大家”。",
        "source": {"doc": "lingyuan-2021"},
        "quote": "学法用法护小家·防非处非靠大家",
        "tags": ["防范"],
        "status": "retired",
    },
    {
        "id": "M002",
        "type": "multiple",
        "stem": "遇到下列哪些宣传时，应当警惕非法集资风险（  ）。",
        "options": {
            "A": "承诺保本保息",
            "B": "年化收益高达30%",
            "C": "拉人头返利",
            "D": "银行公布的存款利率",
            "E": "稳赚不赔",
        },
        "answer": "ABCE",
        "explanation": "承诺保本高收益、拉人头返利都是非法集资常见手法。",
        "source": {"doc": "other", "title": "中国人民银行防范非法集资宣传材料"},
        "quote": None,
        "tags": ["保本收益"],
    },
]


def question(type_: str = "single", **overrides: Any) -> Question:
    """A valid question of the type with fields replaced as given (tags may be a list)."""
    if "tags" in overrides:
        overrides["tags"] = tuple(overrides["tags"])
    return replace(Question.from_dict(VALID[type_]), **overrides)


def filler(type_: str, count: int, start: int = 1, **overrides: Any) -> list[Question]:
    """`count` questions of a type with distinct ids and stems (content not meant to pass validation)."""
    prefix = {"single": "S", "judge": "J", "multiple": "M"}[type_]
    return [
        question(type_, id=f"{prefix}{n:03d}", stem=f"第{n}题 {type_}", **overrides)
        for n in range(start, start + count)
    ]
