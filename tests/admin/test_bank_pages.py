"""Question bank pages: admin only; upload -> preview with row errors -> confirm writes; retire."""

from __future__ import annotations

import io

from sqlalchemy import func, select

from app.extensions import db
from app.models.audit import AuditLog
from app.models.question import BankQuestion
from tests.admin.conftest import csrf_token
from tests.admin.test_bank_admin import BAD, GOOD, bank_file


def _count(app) -> int:  # noqa: ANN001
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(BankQuestion))


def _upload(client, data: bytes, name: str = "新题.xlsx"):  # noqa: ANN001, ANN202
    return client.post(
        "/admin/bank/import",
        data={"csrf_token": csrf_token(client), "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def test_bank_is_admin_only(app, staff_client):
    for role in ("analyst", "tip_handler"):
        client = staff_client(role)
        assert client.get("/admin/bank").status_code == 403
        assert client.get("/admin/bank/import").status_code == 403
        assert _upload(client, bank_file([GOOD])).status_code == 403
    assert _count(app) == 0


def test_preview_shows_row_errors_and_writes_nothing(app, staff_client, tmp_path):
    app.config["MEDIA_DIR"] = str(tmp_path)
    client = staff_client("admin")
    page = _upload(client, bank_file([GOOD, BAD])).get_data(as_text=True)
    assert "发现 1 处错误" in page and "第3行" in page and "确认导入" not in page
    assert _count(app) == 0
    assert list((tmp_path / "bank-imports").iterdir()) == []  # a file with errors is not kept
    assert "只能导入" in client.get(_upload(client, b"hello", "题库.txt").headers["Location"]).get_data(
        as_text=True
    )


def test_confirm_imports_then_search_stats_and_retire(app, staff_client, tmp_path):
    app.config["MEDIA_DIR"] = str(tmp_path)
    client = staff_client("admin")
    page = _upload(client, bank_file([GOOD])).get_data(as_text=True)
    assert "检查通过" in page and "新增 1 题" in page and _count(app) == 0
    token = page.split("/admin/bank/import/")[1].split('"')[0]
    res = client.post(
        f"/admin/bank/import/{token}", data={"csrf_token": csrf_token(client), "action": "confirm"}
    )
    assert res.status_code == 302 and _count(app) == 1
    assert "导入完成：新增 1 题" in client.get(res.headers["Location"]).get_data(as_text=True)
    listing = client.get("/admin/bank?q=保本高收益").get_data(as_text=True)
    assert "S901" in listing and "下列哪一项是非法集资的常见特征" in listing
    assert "S901" not in client.get("/admin/bank?q=没有这个词").get_data(as_text=True)
    detail = client.get("/admin/bank/q/S901").get_data(as_text=True)
    assert "还没有人抽到这道题" in detail and "停用这道题" in detail
    client.post("/admin/bank/q/S901/retire", data={"csrf_token": csrf_token(client)})
    with app.app_context():
        assert db.session.get(BankQuestion, "S901").status == "retired"
        actions = set(db.session.scalars(select(AuditLog.action)))
        assert {"bank.import", "bank.retire"} <= actions
    # The same preview cannot be confirmed twice.
    again = client.post(
        f"/admin/bank/import/{token}", data={"csrf_token": csrf_token(client), "action": "confirm"}
    )
    assert "导入预览已失效" in client.get(again.headers["Location"]).get_data(as_text=True)
    assert client.get("/admin/bank/flagged").status_code == 200
