"""Web intake (/api/v1/tips): JSON or multipart; files checked by content; limits with friendly errors."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models.outbox import OutboxMessage
from app.models.tip import Tip, TipAttachment, TipIdentity
from app.services.evidence import MAX_FILE_BYTES
from tests.tips.conftest import TIP, api, file_tip

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF" + b"\x00" * 200
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200
PDF = b"%PDF-1.7\n" + b"0" * 200


def _multipart(app, files, openid="o_web_0001", **fields):  # noqa: ANN001, ANN003
    client, headers = api(app, openid)
    data = {**{k: str(v) for k, v in {**TIP, **fields}.items()}, "files": files}
    return client.post("/api/v1/tips", data=data, headers=headers, content_type="multipart/form-data")


def test_form_describes_the_questions(app):
    body = app.test_client().get("/api/v1/tips/form").get_json()
    assert [c["value"] for c in body["categories"]] == ["company", "platform", "app", "person", "other"]
    assert body["limits"]["files"] == 9 and body["limits"]["file_types"] == ["jpg", "png", "pdf"]
    assert "实名" in body["reward_note"] and body["statuses"]["closed"] == "已办结"


def test_json_tip_gets_a_receipt(app):
    body = file_tip(app, anonymous=False, name="李四", phone="139 1234 5678", consent=True)
    assert (
        body["receipt"].startswith("JB-") and body["status_label"] == "已受理" and "查询" in body["message"]
    )
    with app.app_context():
        tip = db.session.scalar(select(Tip).where(Tip.receipt == body["receipt"]))
        assert tip.channel == "web" and tip.target == TIP["target"] and not tip.anonymous
        assert db.session.scalar(select(TipIdentity).where(TipIdentity.tip_id == tip.id)) is not None


def test_uploads_are_stored_with_checksums(make_app):
    app = make_app()
    files = [(io.BytesIO(JPEG), "a.jpg"), (io.BytesIO(PNG), "b.png"), (io.BytesIO(PDF), "合同.pdf")]
    res = _multipart(app, files)
    assert res.status_code == 201, res.get_json()
    with app.app_context():
        rows = db.session.scalars(select(TipAttachment).order_by(TipAttachment.id)).all()
        assert [r.content_type for r in rows] == ["image/jpeg", "image/png", "application/pdf"]
        for row, data in zip(rows, (JPEG, PNG, PDF), strict=True):
            stored = Path(app.config["MEDIA_DIR"]) / row.path
            assert row.status == "stored" and row.sha256 == hashlib.sha256(data).hexdigest()
            assert stored.read_bytes() == data and row.size == len(data)


@pytest.mark.parametrize(
    ("files", "status", "words"),
    [
        ([(io.BytesIO(b"MZ\x90\x00 not a photo"), "photo.jpg")], 400, "只能上传照片"),  # named .jpg, isn't
        ([(io.BytesIO(b"<svg></svg>"), "x.png")], 400, "只能上传照片"),
        ([(io.BytesIO(b""), "empty.jpg")], 400, "文件是空的"),
        ([(io.BytesIO(JPEG), f"{i}.jpg") for i in range(10)], 400, "最多只能上传9个"),
        ([(io.BytesIO(b"\xff\xd8\xff" + b"\x00" * MAX_FILE_BYTES), "big.jpg")], 413, "不能超过10MB"),
    ],
)
def test_bad_files_are_refused_and_nothing_is_kept(make_app, files, status, words):
    app = make_app()
    res = _multipart(app, files)
    assert res.status_code == status and words in res.get_json()["message"]
    with app.app_context():
        assert (
            db.session.scalar(select(Tip.id)) is None and db.session.scalar(select(OutboxMessage.id)) is None
        )


def test_request_over_the_total_limit_is_refused_kindly(make_app):
    app = make_app()
    files = [(io.BytesIO(b"\xff\xd8\xff" + b"\x00" * (MAX_FILE_BYTES - 10)), f"{i}.jpg") for i in range(3)]
    res = _multipart(app, files)
    assert res.status_code == 413 and "文件太大了" in res.get_json()["message"]


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"category": "alien"}, "请选择举报对象的类型"),
        ({"target": "  "}, "被举报的公司"),
        ({"story": ""}, "发生了什么"),
        ({"story": "钱" * 3001}, "太长"),
        ({"anonymous": False, "name": "", "phone": "13800138000"}, "姓名"),
        ({"anonymous": False, "name": "王五", "phone": "110"}, "手机号码"),
        ({"latitude": "north"}, "位置信息不对"),
    ],
)
def test_bad_fields_get_friendly_messages(app, fields, words):
    client, headers = api(app)
    res = client.post("/api/v1/tips", json={**TIP, **fields}, headers=headers)
    assert res.status_code == 400 and words in res.get_json()["message"]


def test_login_required(app):
    res = app.test_client().post("/api/v1/tips", json=TIP)
    assert res.status_code == 401


def test_daily_limit_per_ip(make_app):
    app = make_app(TIP_DAILY_LIMIT_IP=3)
    for i in range(3):
        file_tip(app, openid=f"o_family_{i}")
    client, headers = api(app, "o_family_9")
    res = client.post("/api/v1/tips", json=TIP, headers=headers)
    assert res.status_code == 429 and "明天再来" in res.get_json()["message"]
    other = client.post("/api/v1/tips", json=TIP, headers=headers, environ_base={"REMOTE_ADDR": "10.1.1.1"})
    assert other.status_code == 201


def test_tip_accepted_when_redis_is_down(make_app):
    """The limits live in Redis; a tip is worth more than a limit, so it is still filed."""
    app = make_app(REDIS_URL="redis://127.0.0.1:1/0", REDIS_TIMEOUT=0.2)
    body = file_tip(app)
    with app.app_context():
        assert db.session.scalar(select(Tip.receipt)) == body["receipt"]
