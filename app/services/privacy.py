"""The privacy notices residents agree to: one for the quiz, a separate one for real-name tips.

Each notice states the processor, purpose, data collected, retention, rights and contact, and carries a
version; a consent record stores the version and time (quiz: on the participant; tips: on the tip's
identity). Chat, the API (`GET /api/v1/privacy?kind=...`) and the H5 page all show this same text.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from app.services.registration import PRIVACY_VERSION as QUIZ_VERSION

TIPS_VERSION = "tips-2026-1"
KINDS = ("quiz", "tips")


@dataclass(frozen=True)
class Notice:
    kind: str
    version: str
    title: str
    processor: str
    purpose: str
    data: str
    retention: str
    rights: str
    contact: str

    @property
    def text(self) -> str:
        return (
            f"【{self.title}】\n处理者：{self.processor}\n用途：{self.purpose}\n收集：{self.data}\n"
            f"保存：{self.retention}\n您的权利：{self.rights}\n联系：{self.contact}"
        )

    def as_dict(self) -> dict[str, str]:
        return {
            "kind": self.kind,
            "version": self.version,
            "title": self.title,
            "processor": self.processor,
            "purpose": self.purpose,
            "data": self.data,
            "retention": self.retention,
            "rights": self.rights,
            "contact": self.contact,
            "text": self.text,
        }


def notice(kind: str, config: Mapping[str, Any]) -> Notice:
    """The current notice of `kind` ("quiz" or "tips"); KeyError for anything else."""
    processor = str(config.get("PRIVACY_PROCESSOR") or "本公众号运营单位")
    contact = str(config.get("PRIVACY_CONTACT") or "在公众号留言")
    if kind == "quiz":
        days = int(config.get("PERSONAL_DATA_RETENTION_DAYS", 90))
        return Notice(
            kind="quiz",
            version=QUIZ_VERSION,
            title="个人信息说明",
            processor=processor,
            purpose="组成地区战队、统计成绩和排名、活动结束后联系获奖者。",
            data="姓名、所在地区；手机号和工作单位可以不填；答题记录。",
            retention=f"手机号加密保存，排行榜只显示部分姓名；活动结束并公布结果{days}天后删除姓名、手机号和单位，只留匿名成绩。",
            rights="回复“我的信息”查看，“修改姓名 张三”等更正，“删除我的信息”删除（活动页面也可以）。",
            contact=contact,
        )
    if kind == "tips":
        days = int(config.get("TIP_RETENTION_DAYS", 730))
        return Notice(
            kind="tips",
            version=TIPS_VERSION,
            title="实名举报人信息说明",
            processor=processor,
            purpose="核实线索、联系您了解情况、按规定发放举报奖励。",
            data="您的姓名、手机号，以及与您微信账号的关联。",
            retention=f"加密保存，只有办案工作人员可以查看，每次查看都有记录；线索办结{days}天后删除。",
            rights="可以随时回复“删除我的信息”删除，删除后工作人员将无法联系您。也可以选择匿名举报。",
            contact=contact,
        )
    raise KeyError(kind)
