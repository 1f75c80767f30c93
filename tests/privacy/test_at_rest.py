"""Phones and tipster identities are encrypted at rest: the raw rows hold neither, the app can read them."""

from __future__ import annotations

from sqlalchemy import select, text

from app import personal_data
from app.extensions import db
from app.models.outbox import OutboxMessage
from app.models.tip import TipIdentity
from tests.api.helpers import resident
from tests.tips.conftest import chat_tip


def test_raw_rows_hold_no_phone_and_no_tipster_identity(app, emu, campaign):
    resident(app, emu, openid="o_at_rest", phone="13800138000")
    chat_tip(app, "o_at_rest_tipster", real_name=("王秀英", "13712345678"))
    with app.app_context():
        dump = "".join(
            str(db.session.execute(text(f"SELECT * FROM {table}")).all())  # noqa: S608 (fixed names)
            for table in ("participants", "tip_identities", "tips", "audit_log", OutboxMessage.__tablename__)
        )
        for plain in ("13800138000", "13712345678", "王秀英", "o_at_rest_tipster"):
            assert plain not in dump, plain
        assert "138****8000" in dump  # the masked form is what pages show
        identity = db.session.scalar(select(TipIdentity))
        assert personal_data.decrypt(identity.phone_enc) == "13712345678"
        assert personal_data.decrypt(identity.openid_enc) == "o_at_rest_tipster"
