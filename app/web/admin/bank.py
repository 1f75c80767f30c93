"""Question bank pages (admin only: the bank decides what every resident is asked and scored on):
browse and search with per-question statistics, flagged questions, retire, import with a preview."""

from __future__ import annotations

from pathlib import Path

from flask import abort, current_app, flash, g, redirect, render_template, request, url_for

from app import clock, runtime
from app.errors import DomainError
from app.extensions import db
from app.services import bank_admin
from app.web.admin import bp
from app.web.admin.security import require_role
from quiz_bank.schema import QuestionType
from quiz_bank.tabular import STATUS_LABELS

TYPE_LABELS = {t.value: t.label for t in QuestionType}


def _upload_dir() -> Path:
    return Path(current_app.config["MEDIA_DIR"]) / "bank-imports"


@bp.get("/bank")
@require_role("admin")
def bank():  # noqa: ANN201
    text = request.args.get("q", "").strip()[:60]
    qtype = request.args.get("type") if request.args.get("type") in TYPE_LABELS else None
    status = request.args.get("status") if request.args.get("status") in STATUS_LABELS else None
    page = bank_admin.browse(text, qtype, status, page=request.args.get("page", 1, type=int))
    stats = bank_admin.question_stats([row.id for row in page.items]) if page.items else {}
    filters = {k: v for k, v in {"q": text, "type": qtype, "status": status}.items() if v}
    return render_template(
        "admin/bank.html",
        page=page,
        stats=stats,
        filters=filters,
        types=TYPE_LABELS,
        status_labels=STATUS_LABELS,
        flag_min=bank_admin.FLAG_MIN_ANSWERED,
        flag_max=bank_admin.FLAG_MAX_CORRECT,
    )


@bp.get("/bank/flagged")
@require_role("admin")
def bank_flagged():  # noqa: ANN201
    flagged = bank_admin.flagged_questions(runtime.store())
    questions = {s.question_id: bank_admin.question(s.question_id) for s in flagged or []}
    return render_template(
        "admin/bank_flagged.html",
        flagged=flagged,
        questions=questions,
        flag_min=bank_admin.FLAG_MIN_ANSWERED,
        flag_max=bank_admin.FLAG_MAX_CORRECT,
    )


@bp.get("/bank/q/<question_id>")
@require_role("admin")
def bank_question(question_id: str):  # noqa: ANN201
    question = bank_admin.question(question_id)
    if question is None:
        abort(404)
    stat = bank_admin.question_stats([question_id]).get(question_id)
    return render_template("admin/bank_question.html", q=question, stat=stat)


@bp.post("/bank/q/<question_id>/retire")
@require_role("admin")
def bank_retire(question_id: str):  # noqa: ANN201
    try:
        bank_admin.retire(question_id, actor=g.staff.username, now=clock.now())
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
    else:
        db.session.commit()
        flash(f"题目 {question_id} 已停用，以后不会再抽到", "success")
    return redirect(url_for("admin.bank_question", question_id=question_id))


@bp.get("/bank/import")
@require_role("admin")
def bank_import():  # noqa: ANN201
    return render_template("admin/bank_import.html")


@bp.post("/bank/import")
@require_role("admin")
def bank_import_preview():  # noqa: ANN201
    """Step 1: check the upload and show every row error; nothing is written to the bank."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        flash("请选择要导入的 .xlsx 或 .csv 文件", "error")
        return redirect(url_for("admin.bank_import"))
    data = upload.stream.read(bank_admin.MAX_IMPORT_BYTES + 1)
    try:
        preview = bank_admin.preview_import(data, upload.filename, _upload_dir())
    except DomainError as exc:
        flash(exc.message, "error")
        return redirect(url_for("admin.bank_import"))
    if not preview.ok:
        bank_admin.discard_import(preview.token, _upload_dir())
    return render_template("admin/bank_preview.html", preview=preview, types=TYPE_LABELS)


@bp.post("/bank/import/<token>")
@require_role("admin")
def bank_import_confirm(token: str):  # noqa: ANN201
    """Step 2: the staff member confirmed; the same file is re-checked and imported all or nothing."""
    folder = _upload_dir()
    if request.form.get("action") != "confirm":
        bank_admin.discard_import(token, folder)
        flash("已取消导入，题库没有变化", "success")
        return redirect(url_for("admin.bank"))
    try:
        result = bank_admin.confirm_import(token, folder, actor=g.staff.username, now=clock.now())
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("admin.bank_import"))
    db.session.commit()
    bank_admin.discard_import(token, folder)
    flash(
        f"导入完成：新增 {result.added} 题，更新 {result.updated} 题，未变 {result.unchanged} 题", "success"
    )
    return redirect(url_for("admin.bank"))
