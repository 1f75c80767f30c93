"""OpenAPI section: papers (today's paper, answers, submission) and my results."""

from __future__ import annotations

from typing import Any

from app.web.api.openapi import (
    BOOL,
    DATE,
    INT,
    STR,
    TIME,
    array,
    body,
    errors,
    nullable,
    obj,
    op,
    path_param,
    ref,
    reply,
)
from app.web.api.openapi_quiz import CLOSED, NOT_REGISTERED, QTYPE

ANSWER = {
    "anyOf": [STR, array(STR)],
    "description": '显示的字母，如 "B"、"AC"、["A","C"]；判断题 "对"/"错"。',
}

_ITEM = {
    "position": {**INT, "description": "题号，从 1 开始"},
    "type": QTYPE,
    "type_label": {**STR, "description": "单选、判断或多选"},
    "points": INT,
    "stem": STR,
    "options": array(ref("Option")),
    "answered": BOOL,
    "given": {**nullable(STR), "description": "已作答的答案（显示的字母，或 对/错）"},
}
_RESULT_ITEM = {
    **_ITEM,
    "correct_answer": {**STR, "description": "正确答案（本试卷显示的字母，或 对/错）"},
    "awarded": INT,
    "correct": BOOL,
    "explanation": STR,
    "source": {**STR, "description": "出处，如《条例》第二十五条"},
}

SCHEMAS: dict[str, Any] = {
    "Option": obj({"key": {**STR, "description": "显示的字母 A、B…（判断题为 对/错）"}, "text": STR}),
    "Item": obj(_ITEM, description="交卷前的题目：没有答案、对错和解析。"),
    "Paper": obj(
        {
            "id": INT,
            "day": DATE,
            "attempt": INT,
            "status": {"type": "string", "enum": ["open", "expired"]},
            "issued_at": TIME,
            "deadline": {**nullable(TIME), "description": "限时活动的截止时间"},
            "max_score": INT,
            "total": INT,
            "answered_count": INT,
            "items": array(ref("Item")),
        }
    ),
    "AnswerRequest": obj({"position": INT, "answer": ANSWER}),
    "AnswerRecorded": obj(
        {"position": INT, "recorded": {"const": True}, "answered_count": INT},
        description="只确认已记录，不透露对错。",
    ),
    "SubmitRequest": obj(
        {},
        {
            "answers": {
                "type": "object",
                "propertyNames": {"pattern": "^[0-9]+$"},
                "additionalProperties": ANSWER,
                "description": "题号 -> 答案；逐题作答后可为空",
            },
        },
    ),
    "ResultItem": obj(_RESULT_ITEM),
    "PaperResult": obj(
        {
            "id": INT,
            "day": DATE,
            "attempt": INT,
            "status": {"const": "submitted"},
            "score": INT,
            "max_score": INT,
            "time_used_ms": INT,
            "submitted_at": TIME,
            "already_submitted": {**BOOL, "description": "true：重复提交了同样的答卷，返回的是已保存的结果"},
            "cumulative_score": INT,
            "items": array(ref("ResultItem")),
        }
    ),
    "PaperSummary": obj(
        {
            "id": INT,
            "day": DATE,
            "attempt": INT,
            "status": {"type": "string", "enum": ["open", "submitted", "expired"]},
            "score": nullable(INT),
            "max_score": INT,
            "time_used_ms": nullable(INT),
            "submitted_at": nullable(TIME),
        }
    ),
    "MyResults": obj(
        {
            "name": STR,
            "team": ref("Team"),
            "cumulative_score": INT,
            "days_played": INT,
            "today": obj(
                {
                    "status": {"type": "string", "enum": ["none", "open", "submitted", "expired"]},
                    "score": nullable(INT),
                    "paper_id": nullable(INT),
                }
            ),
            "papers": array(ref("PaperSummary")),
        }
    ),
}

PAPER_ID = [path_param("paper_id", "试卷 id")]

PATHS: dict[str, Any] = {
    "/me/results": {
        "get": op(
            "我的成绩：累计得分、今天的状态和每份试卷。",
            {"200": reply("成绩", ref("MyResults")), **errors(e403=NOT_REGISTERED, e404="no_campaign")},
            auth=True,
        )
    },
    "/papers/today": {
        "get": op(
            "今天的试卷：第一次请求时出卷，之后同一天返回同一份。不含答案和解析。",
            {
                "200": reply("试卷", ref("Paper")),
                **errors(
                    e400=CLOSED + "；bank_too_small",
                    e403=NOT_REGISTERED,
                    e409="done_today：今天已答完（paper_id 指向今天的试卷）。",
                ),
            },
            auth=True,
        )
    },
    "/papers/{paper_id}": {
        "get": op(
            "我的一份试卷：交卷前只有题目；交卷后带正确答案、得分、解析和出处。",
            {
                "200": reply("试卷", {"oneOf": [ref("Paper"), ref("PaperResult")]}),
                **errors(e404="paper_not_found：不是您的试卷或不存在。"),
            },
            auth=True,
            parameters=PAPER_ID,
        )
    },
    "/papers/{paper_id}/answers": {
        "post": op(
            "逐题作答：记录一道题的答案，只返回已记录，不透露对错。同一答案重复提交视为成功。",
            {
                "200": reply("已记录", ref("AnswerRecorded")),
                **errors(
                    e400="bad_request / invalid_answer（附提示） / not_on_paper / time_over / " + CLOSED,
                    e404="paper_not_found",
                    e409="already_submitted：已交卷；already_answered：这道题已用别的答案作答。",
                ),
            },
            auth=True,
            request=body(ref("AnswerRequest")),
            parameters=PAPER_ID,
        )
    },
    "/papers/{paper_id}/submit": {
        "post": op(
            "交卷（可同时提交全部答案）。先检查全部答案，有任何一题格式不对就什么都不记录。"
            "同样的答卷重复提交返回同样的结果（already_submitted: true）；不同的答卷返回 409。",
            {
                "200": reply("成绩和解析", ref("PaperResult")),
                **errors(
                    e400="bad_request / invalid_answer（errors 按题号给提示） / not_on_paper / time_over / "
                    + CLOSED,
                    e404="paper_not_found",
                    e409="already_submitted：已用不同答卷交过卷；already_answered：与逐题作答的答案不同。",
                ),
            },
            auth=True,
            request=body(ref("SubmitRequest")),
            parameters=PAPER_ID,
        )
    },
}
