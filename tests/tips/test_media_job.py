"""Evidence photos sent in chat are downloaded by a job through WeChat's media API, never in the request."""

from __future__ import annotations

import hashlib
from pathlib import Path

import requests
from sqlalchemy import select

from app.emulator.commands import upload_media
from app.extensions import db
from app.jobs.runner import run_job
from app.jobs.tips import MEDIA_ATTEMPTS, download_tip_media
from app.models.tip import TipAttachment
from tests.support.wechat import wechat_client
from tests.tips.conftest import later

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF" + bytes(range(256)) * 20
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 10


def _send_tip_with_photos(app, emu, tmp_path, blobs):  # noqa: ANN001, ANN202
    ids = []
    for i, blob in enumerate(blobs):
        path = tmp_path / f"p{i}"
        path.write_bytes(blob)
        ids.append(upload_media(emu, str(path)))
    wx = wechat_client(app, openid="o_photos")
    for line in ("举报", "1", "某公司", "他们骗钱。", "好了", "跳过"):
        wx.text(line)
    for media_id in ids:
        wx.image(media_id)
    for line in ("好了", "1", "确认"):
        wx.text(line)
    return ids


def _rows(app):  # noqa: ANN001, ANN202
    with app.app_context():
        rows = list(db.session.scalars(select(TipAttachment).order_by(TipAttachment.id)))
        db.session.expunge_all()
        return rows


def _run(app, now=None):  # noqa: ANN001, ANN202
    assert run_job(app, "download_tip_media", download_tip_media, now=now or later(0))


def test_photos_are_downloaded_with_checksums(make_app, emu, tmp_path):
    app = make_app()
    _send_tip_with_photos(app, emu, tmp_path, [JPEG, PNG])
    assert [r.status for r in _rows(app)] == ["pending", "pending"]  # the reply did not wait for WeChat
    _run(app)
    rows = _rows(app)
    for row, blob in zip(rows, (JPEG, PNG), strict=True):
        assert (
            row.status == "stored"
            and row.sha256 == hashlib.sha256(blob).hexdigest()
            and row.size == len(blob)
        )
        assert (Path(app.config["MEDIA_DIR"]) / row.path).read_bytes() == blob
    assert rows[0].path.endswith(".jpg") and rows[1].path.endswith(".png")
    _run(app)  # nothing left to do
    assert [r.attempts for r in _rows(app)] == [1, 1]


def test_wechat_trouble_is_retried_with_backoff(make_app, emu, tmp_path):
    app = make_app()
    _send_tip_with_photos(app, emu, tmp_path, [JPEG])
    requests.post(emu + "_emulator/faults", json={"endpoint": "media_get", "mode": "http500"}, timeout=5)
    _run(app)
    [row] = _rows(app)
    assert row.status == "pending" and row.attempts == 1 and row.last_error
    _run(app, later(5))  # not due yet
    assert _rows(app)[0].attempts == 1
    _run(app, later(31))
    assert _rows(app)[0].status == "stored"


def test_a_file_that_is_not_a_photo_is_refused(make_app, emu, tmp_path):
    app = make_app()
    _send_tip_with_photos(app, emu, tmp_path, [b"MZ\x90\x00 an executable"])
    _run(app)
    [row] = _rows(app)
    assert row.status == "failed" and row.last_error == "file_type" and row.path is None


def test_gives_up_after_the_cap(make_app, emu, tmp_path):
    app = make_app()
    _send_tip_with_photos(app, emu, tmp_path, [JPEG])
    requests.post(emu + "_emulator/reset", timeout=5)  # WeChat forgot the media (expired after 3 days)
    for attempt in range(MEDIA_ATTEMPTS):
        _run(app, later(60 * 60 * (attempt + 1)))
    [row] = _rows(app)
    assert row.status == "failed" and row.attempts == MEDIA_ATTEMPTS and "40007" in row.last_error
