"""Tip inbox pages: roles, list with filters and pages, detail (audited), identity on a click (audited),
workflow and reply seen by the tipster on the API look-up, evidence photos, tip export."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

from openpyxl import load_workbook
from sqlalchemy import select

from app import clock
from app.extensions import db
from app.models.audit import AuditLog
from app.models.tip import Tip
from app.services import tip_triage
from tests.admin.conftest import csrf_token
from tests.admin.tipdata import PNG, make_tip

MON = datetime(2026, 6, 15, 2, 0, tzinfo=UTC)


def _tip(app, **kwargs):  # noqa: ANN001, ANN003, ANN202
    with app.app_context():
        return make_tip(**kwargs).receipt


def _audit(app, action: str) -> list[tuple[str, str]]:  # noqa: ANN001
    with app.app_context():
        rows = db.session.execute(select(AuditLog.actor, AuditLog.target_id).where(AuditLog.action == action))
        return [tuple(r) for r in rows]


def test_only_tip_handlers_and_admins_open_the_inbox(app, staff_client, tmp_path):
    app.config["MEDIA_DIR"] = str(tmp_path)
    receipt = _tip(app)
    analyst = staff_client("analyst")
    assert analyst.get("/admin/tips").status_code == 403
    assert analyst.get(f"/admin/tips/{receipt}").status_code == 403
    handler = staff_client("tip_handler")
    page = handler.get("/admin/tips").get_data(as_text=True)
    assert receipt in page and "举报线索" in page and "他们说投一万" not in page  # list shows no content
    assert staff_client("admin").get("/admin/tips").status_code == 200


def test_list_filters_and_paginates(app, staff_client, tmp_path):
    app.config["MEDIA_DIR"] = str(tmp_path)
    clock.freeze(MON + timedelta(days=1))
    with_photo = _tip(app, created_at=MON, photo=True)
    others = [_tip(app, created_at=MON + timedelta(minutes=i)) for i in range(tip_triage.PER_PAGE)]
    client = staff_client("tip_handler")
    page = client.get("/admin/tips?photos=yes").get_data(as_text=True)
    assert with_photo in page and not any(r in page for r in others)
    first = client.get("/admin/tips").get_data(as_text=True)
    second = client.get("/admin/tips?page=2").get_data(as_text=True)
    assert f"共 {tip_triage.PER_PAGE + 1} 条" in first and "第 1 / 2 页" in first and "下一页" in first
    assert with_photo not in first and others[-1] in first  # newest first
    assert with_photo in second and others[-1] not in second
    assert client.get("/admin/tips?page=abc&date_from=not-a-date").status_code == 200  # bad input: no error


def test_detail_is_audited_and_identity_needs_an_explicit_click(app, staff_client, tmp_path):
    app.config["MEDIA_DIR"] = str(tmp_path)
    receipt = _tip(app, name="李四", phone="13912345678", photo=True)
    client = staff_client("tip_handler", "officer-li")
    page = client.get(f"/admin/tips/{receipt}").get_data(as_text=True)
    assert "他们说投一万" in page and "中关村大街" in page and "39.98000" in page
    assert "李四" not in page and "13912345678" not in page and "查看举报人身份" in page
    assert _audit(app, "tip.view") == [("officer-li", receipt)] and _audit(app, "tip.identity") == []
    assert client.get(f"/admin/tips/{receipt}/identity").status_code == 405  # a link can't reveal it
    assert client.post(f"/admin/tips/{receipt}/identity").status_code == 400  # nor a forged form
    revealed = client.post(f"/admin/tips/{receipt}/identity", data={"csrf_token": csrf_token(client)})
    text = revealed.get_data(as_text=True)
    assert "李四" in text and "13912345678" in text
    assert _audit(app, "tip.identity") == [("officer-li", receipt)]
    # The evidence photo is served from the media directory to handlers only.
    with app.app_context():
        file_id = db.session.scalar(select(Tip).where(Tip.receipt == receipt)).attachments[0].id
    photo = client.get(f"/admin/tips/{receipt}/files/{file_id}")
    assert photo.status_code == 200 and photo.data == PNG and photo.mimetype == "image/png"
    assert staff_client("analyst").get(f"/admin/tips/{receipt}/files/{file_id}").status_code == 403
    assert client.get(f"/admin/tips/{receipt}/files/{file_id + 999}").status_code == 404
    assert client.get("/admin/tips/JB-2222-2222-22").status_code == 404


def test_workflow_assignment_flags_and_reply_through_the_pages(app, staff_client, tmp_path):
    app.config["MEDIA_DIR"] = str(tmp_path)
    receipt, other = _tip(app), _tip(app)
    staff_client("tip_handler", "officer-zhou")
    client = staff_client("tip_handler", "officer-li")
    token = csrf_token(client)

    def post(action: str, **data: str) -> str:
        res = client.post(f"/admin/tips/{receipt}/{action}", data={"csrf_token": token, **data})
        assert res.status_code == 302, res.get_data(as_text=True)
        return client.get(res.headers["Location"]).get_data(as_text=True)

    assert "不能从“已受理”改为“已办结”" in post("status", status="closed")  # the workflow holds
    assert "核查中" in post("status", status="verifying", note="内部：转经侦")
    post("assign", assignee="officer-zhou")
    post("known", known="1")
    assert "没有找到回执编号" in post("duplicate", original="JB-2222-2222-22")
    post("duplicate", original=other)
    post("note", note="已电话联系平台")
    page = post("reply", reply="已转交有关部门核查，感谢您的举报。")
    assert "已转交有关部门核查" in page and "officer-zhou" in page and other in page
    with app.app_context():
        tip = db.session.scalar(select(Tip).where(Tip.receipt == receipt))
        assert tip.status == "verifying" and tip.assignee == "officer-zhou" and tip.already_known
        assert tip.duplicate_of_id is not None
    looked = app.test_client().post("/api/v1/tips/lookup", json={"code": receipt}).get_json()
    assert looked["status_label"] == "核查中" and looked["reply"] == "已转交有关部门核查，感谢您的举报。"
    assert "转经侦" not in str(looked) and "电话联系" not in str(looked)
    # Without the CSRF token nothing changes.
    assert client.post(f"/admin/tips/{receipt}/status", data={"status": "closed"}).status_code == 400


def test_tip_export_needs_the_handler_role_and_is_audited(app, staff_client, tmp_path):
    app.config["MEDIA_DIR"] = str(tmp_path)
    wanted = _tip(app, category="app", target="=cmd|' /C calc'!A0")
    _tip(app, category="person")
    analyst = staff_client("analyst")
    assert analyst.post("/admin/exports/tips", data={"csrf_token": csrf_token(analyst)}).status_code == 403
    client = staff_client("tip_handler", "officer-li")
    res = client.post(
        "/admin/exports/tips", data={"csrf_token": csrf_token(client), "category": "app", "format": "xlsx"}
    )
    assert res.status_code == 200 and "attachment" in res.headers["Content-Disposition"]
    rows = list(load_workbook(io.BytesIO(res.data)).worksheets[0].iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][0] == wanted and rows[1][4].startswith("'=")
    assert _audit(app, "tip.export") == [("officer-li", wanted)]
