"""Question bank management (service layer): search, two-step import, retire, per-question statistics."""

from __future__ import annotations

import io
from datetime import timedelta

from openpyxl import Workbook
from sqlalchemy import func, select

from app import clock
from app.errors import DomainError
from app.extensions import db
from app.models.question import BankQuestion
from app.services import bank, bank_admin, papers
from quiz_bank import tabular
from quiz_bank.loader import load_bank
from tests.factories import make_campaign, make_participant
from tests.leaderboards.conftest import DAY1_EVENING, cn_name


def bank_file(rows: list[list[str]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(list(tabular.COLUMNS))
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


GOOD = [
    "S901", "单选", "下列哪一项是非法集资的常见特征？", "承诺保本高收益", "银行定期存款", "国债", "社保",
    "", "", "A", "承诺保本高收益是非法集资的典型特征。", "某区宣传材料", "", "识别", "启用",
]  # fmt: skip
BAD = [
    "S902", "单选", "以下哪种做法能防范非法集资？", "轻信高息", "拉人头返利", "通过正规渠道理财", "跟风投资",
    "", "", "Z", "应通过正规渠道理财。", "某区宣传材料", "", "防范", "启用",
]  # fmt: skip


def test_preview_writes_nothing_and_reports_row_errors(app, tmp_path):
    with app.app_context():
        preview = bank_admin.preview_import(bank_file([GOOD, BAD]), "新题.xlsx", tmp_path)
        assert not preview.ok
        assert [(e.row, e.message) for e in preview.errors] == [(3, "答案 Z 不在选项（A、B、C、D）之中")]
        assert db.session.scalar(select(func.count()).select_from(BankQuestion)) == 0
        try:
            bank_admin.confirm_import(preview.token, tmp_path, actor="admin", now=clock.now())
            raise AssertionError("a file with errors must not import")
        except DomainError as exc:
            assert exc.code == "import_errors"
        db.session.rollback()
        assert db.session.scalar(select(func.count()).select_from(BankQuestion)) == 0


def test_confirm_imports_the_previewed_file_then_search_and_retire(app, tmp_path):
    with app.app_context():
        preview = bank_admin.preview_import(bank_file([GOOD]), "新题.xlsx", tmp_path)
        assert preview.ok and preview.added == ["S901"]
        assert db.session.get(BankQuestion, "S901") is None  # preview only
        result = bank_admin.confirm_import(preview.token, tmp_path, actor="admin", now=clock.now())
        db.session.commit()
        bank_admin.discard_import(preview.token, tmp_path)
        assert result.added == 1 and db.session.get(BankQuestion, "S901").status == "active"
        assert [q.id for q in bank_admin.browse("保本高收益").items] == ["S901"]
        assert bank_admin.browse("不存在的词").total == 0
        bank_admin.retire("S901", actor="admin", now=clock.now())
        db.session.commit()
        assert db.session.get(BankQuestion, "S901").status == "retired"
        assert [q.id for q in bank_admin.browse(status="retired").items] == ["S901"]
        try:
            bank_admin.confirm_import(preview.token, tmp_path, actor="admin", now=clock.now())
            raise AssertionError("a used preview must be gone")
        except DomainError as exc:
            assert exc.code == "import_expired"


def test_bad_upload_type_and_forged_token(app, tmp_path):
    with app.app_context():
        for name in ("题库.txt", "../../etc/passwd"):
            try:
                bank_admin.preview_import(b"x", name, tmp_path)
                raise AssertionError(name)
            except DomainError as exc:
                assert exc.code == "bad_type"
        assert bank_admin.reopen_preview("../../etc/passwd", tmp_path) is None


def test_statistics_flag_a_question_nearly_everyone_gets_wrong(app):
    with app.app_context():
        # A bank of exactly one paper's worth (3 single, 3 judge, 2 multiple): every paper draws each one.
        by_type = {}
        for q in load_bank():
            by_type.setdefault(q.type.value, []).append(q)
        small = by_type["single"][:3] + by_type["judge"][:3] + by_type["multiple"][:2]
        bank.sync_questions(small, clock.now())
        db.session.commit()
        campaign = make_campaign()
        worst = small[0].id
        for i in range(bank_admin.FLAG_MIN_ANSWERED + 2):
            enrollment = make_participant(campaign, openid=f"o_stat_{i:03d}", name=cn_name(i))
            clock.freeze(DAY1_EVENING)
            paper = papers.todays_paper(enrollment, campaign, DAY1_EVENING)
            for item in paper.items:
                wrong = item.question_id == worst and i > 1  # two get it right, everyone else wrong
                item.given = "X" if wrong else item.answer_key
                item.awarded = 0 if wrong else item.points
            papers.submit(paper, DAY1_EVENING + timedelta(minutes=3), 20)
            db.session.commit()
        stats = bank_admin.question_stats([worst])[worst]
        assert stats.drawn == stats.answered == bank_admin.FLAG_MIN_ANSWERED + 2
        assert stats.correct == 2 and stats.flagged
        from app import runtime

        store = runtime.store()
        flagged = bank_admin.flagged_questions(
            store
        )  # cold cache: small enough to compute inline, then cached
        assert [s.question_id for s in flagged] == [worst]
        assert bank_admin.cached_question_stats(store)[worst] == stats  # the page now reads the cache


def test_validator_messages_read_in_chinese_on_the_preview():
    from app.services.bank_messages import in_chinese

    assert in_chinese("stem is 130 characters (max 120)") == "题干有 130 字，最多 120 字"
    assert in_chinese("duplicate id (first used in 第2行)") == "编号重复（第2行已使用）"
    assert (
        in_chinese("stem is a near-duplicate of S001 (bigram similarity 0.86)")
        == "题干与 S001 高度相似（相似度 0.86）"
    )
    assert in_chinese("id 'X1' must be 'S' + 3 digits for a single question (e.g. S001)") == (
        "编号“X1”格式不对：应为 S 加 3 位数字，如 S001"
    )
    assert in_chinese("表中没有题目") == "表中没有题目"
