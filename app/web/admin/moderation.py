"""Anti-cheat review for staff: papers flagged as answered faster than a person can (accept or reject), and
residents excluded from the rankings (exclude / include). Every decision needs a reason and is audit-logged;
the rules live in app.services.moderation."""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from sqlalchemy import select

from app import clock
from app.errors import DomainError, NotFound
from app.extensions import db
from app.models.participant import Participant
from app.personal_data import mask_name
from app.services import moderation
from app.web.admin import bp
from app.web.admin.security import require_role


@bp.get("/moderation")
@require_role("admin")
def moderation_page():  # noqa: ANN201
    show_all = request.args.get("all") == "1"
    flagged = moderation.flagged_papers(include_reviewed=show_all)
    people = {
        p.id: p
        for p in db.session.scalars(
            select(Participant).where(Participant.id.in_({f.participant_id for f in flagged}))
        )
    }
    excluded = list(
        db.session.scalars(
            select(Participant)
            .where(Participant.excluded.is_(True))
            .order_by(Participant.updated_at.desc())
            .limit(200)
        )
    )
    return render_template(
        "admin/moderation.html",
        flagged=flagged,
        people=people,
        excluded=excluded,
        show_all=show_all,
        mask_name=mask_name,
    )


def _done(message: str):  # noqa: ANN202
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("admin.moderation_page"))


def _refused(exc: DomainError):  # noqa: ANN202
    db.session.rollback()
    flash(exc.message, "error")
    return redirect(url_for("admin.moderation_page"))


@bp.post("/moderation/papers/<int:paper_id>")
@require_role("admin")
def moderation_review(paper_id: int):  # noqa: ANN201
    decision = request.form.get("decision")
    if decision not in ("accept", "reject"):
        abort(400)
    try:
        moderation.review_paper(
            paper_id, decision == "accept", request.form.get("reason", ""), g.staff.username, now=clock.now()
        )
    except NotFound:
        db.session.rollback()
        abort(404)
    except DomainError as exc:
        return _refused(exc)
    return _done("已采纳该答卷，计入排名" if decision == "accept" else "已驳回该答卷，不计入排名")


@bp.post("/moderation/participants")
@require_role("admin")
def moderation_participant():  # noqa: ANN201
    action = request.form.get("action")
    if action not in ("exclude", "include"):
        abort(400)
    change = moderation.exclude_participant if action == "exclude" else moderation.include_participant
    try:
        participant = moderation.find_participant(request.form.get("participant", ""))
        change(participant.id, request.form.get("reason", ""), g.staff.username, now=clock.now())
    except DomainError as exc:  # NotFound included: the form names the resident, so say so
        return _refused(exc)
    return _done(f"已将参与者 {participant.id} " + ("移出排名" if action == "exclude" else "恢复排名"))
