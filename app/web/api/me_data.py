"""The personal-data API for the H5 page: see what is stored about me, and erase it (PIPL)."""

from __future__ import annotations

from typing import Any

from flask import jsonify

from app import clock, redis_keys, runtime
from app.extensions import db
from app.services import my_data
from app.state_store import StoreUnavailable
from app.web.api import bp
from app.web.api.auth import current_openid, login_required

DELETED = "您的个人信息已删除。成绩只以匿名方式保留在排行榜和战队总分中。"


def data_json(data: my_data.MyData) -> dict[str, Any]:
    return {
        "registered": data.registered,
        "name": data.name,
        "phone_masked": data.phone_masked,
        "work_unit": data.work_unit,
        "teams": data.teams,
        "consent": {
            "version": data.consent_version,
            "at": data.consent_at.isoformat() if data.consent_at else None,
        },
        "registered_at": data.registered_at.isoformat() if data.registered_at else None,
        "papers": data.papers,
        "total_score": data.total_score,
        "tips": [
            {
                "receipt": t.receipt,
                "status": t.status,
                "submitted_at": t.submitted_at.isoformat(),
                "name_masked": t.name_masked,
                "phone_masked": t.phone_masked,
                "consent_version": t.consent_version,
            }
            for t in data.tips
        ],
    }


@bp.get("/me/data")
@login_required
def my_stored_data():  # noqa: ANN201
    """Everything stored about me (phones and tipster names masked)."""
    return jsonify(data_json(my_data.describe(current_openid())))


@bp.delete("/me/data")
@login_required
def erase_my_data():  # noqa: ANN201
    """Erase my personal data: name, phone, work unit, the link to my WeChat account and my real-name tip
    identities. Anonymous scores stay in rankings and team totals. The page asks for confirmation first."""
    openid = current_openid()
    result = my_data.erase(openid, now=clock.now())
    db.session.commit()
    try:
        runtime.store().delete(redis_keys.dialog(openid))  # a half-written chat draft (e.g. a tip) goes too
    except StoreUnavailable:
        pass  # it expires on its own (DIALOG_TTL)
    return jsonify(
        deleted=True,
        participant_erased=result.participant_erased,
        tip_identities_deleted=result.tip_identities_deleted,
        message=DELETED,
    )
