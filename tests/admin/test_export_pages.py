"""Export pages: analysts download leaderboards, results and the 统计表; tip handlers cannot; formats."""

from __future__ import annotations

import io
from datetime import timedelta

from openpyxl import load_workbook
from sqlalchemy import select

from app.extensions import db
from app.models.audit import AuditLog
from app.services import publications
from tests.admin.conftest import csrf_token
from tests.admin.test_exports import _played


def _export(client, campaign_id: int, kind: str, fmt: str = "xlsx"):  # noqa: ANN001, ANN202
    data = {"csrf_token": csrf_token(client), "campaign": campaign_id, "kind": kind, "format": fmt}
    return client.post("/admin/exports/campaign", data=data)


def test_analyst_downloads_every_campaign_export(app, staff_client):
    with app.app_context():
        campaign, _people = _played(4)
        campaign_id = campaign.id
    client = staff_client("analyst", "analyst-zhao")
    page = client.get("/admin/exports").get_data(as_text=True)
    assert "宣传月活动情况统计表" in page and "<h2>举报线索</h2>" not in page  # tip exports: handlers only
    res = _export(client, campaign_id, "team")
    assert res.status_code == 200 and res.mimetype.endswith("spreadsheetml.sheet")
    assert "filename*=UTF-8''" in res.headers["Content-Disposition"]
    assert load_workbook(io.BytesIO(res.data)).worksheets[0]["A1"].value == "名次"
    csv = _export(client, campaign_id, "individual", "csv")
    assert csv.status_code == 200 and csv.data.startswith("\ufeff名次".encode())
    form = load_workbook(io.BytesIO(_export(client, campaign_id, "publicity").data)).worksheets[0]
    assert form["A1"].value.endswith("防范非法集资宣传月活动情况统计表") and form["F5"].value == 4
    # Final results exist only after the freeze.
    early = _export(client, campaign_id, "final_individuals")
    assert early.status_code == 302
    assert "冻结最终结果后" in client.get(early.headers["Location"]).get_data(as_text=True)
    with app.app_context():
        campaign = db.session.get(type(campaign), campaign_id)
        publications.freeze_final(campaign, campaign.ends_at + timedelta(hours=1))
        db.session.commit()
    prizes = load_workbook(io.BytesIO(_export(client, campaign_id, "final_individuals").data)).worksheets[0]
    assert prizes["C1"].value == "手机号码" and prizes.max_row == 5
    with app.app_context():
        assert db.session.scalar(
            select(AuditLog.actor).where(AuditLog.action == "export.final_individuals")
        ) == ("analyst-zhao")


def test_tip_handler_cannot_export_campaign_data_and_bad_input_is_refused(app, staff_client):
    with app.app_context():
        campaign, _people = _played(2)
        campaign_id = campaign.id
    handler = staff_client("tip_handler")
    assert _export(handler, campaign_id, "team").status_code == 403
    analyst = staff_client("analyst")
    assert _export(analyst, campaign_id, "team", "pdf").status_code == 400
    assert _export(analyst, campaign_id, "everything").status_code == 400
    assert _export(analyst, 99999, "team").status_code == 302  # unknown campaign: a message, no file
    assert (
        analyst.post("/admin/exports/campaign", data={"campaign": campaign_id, "kind": "team"}).status_code
        == 400
    )
