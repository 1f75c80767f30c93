"""Admin pages to manage staff accounts: list, create, change role, reset password, enable/disable."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for

from app import clock
from app.extensions import db
from app.models.staff import ROLES
from app.services import staff as staff_service
from app.web.admin import bp
from app.web.admin.security import require_role


@bp.get("/staff")
@require_role("admin")
def staff_list():  # noqa: ANN201
    return render_template("admin/staff_list.html", accounts=staff_service.list_staff(), roles=ROLES)


@bp.post("/staff")
@require_role("admin")
def staff_create():  # noqa: ANN201
    staff = staff_service.create_staff(
        request.form.get("username", ""),
        request.form.get("password", ""),
        request.form.get("role", ""),
        now=clock.now(),
        actor=g.staff.username,
    )
    db.session.commit()
    flash(f"已创建账号 {staff.username}", "success")
    return redirect(url_for("admin.staff_list"))


@bp.post("/staff/<int:staff_id>/role")
@require_role("admin")
def staff_role(staff_id: int):  # noqa: ANN201
    staff = staff_service.get_staff(staff_id)
    staff_service.set_role(staff, request.form.get("role", ""), actor=g.staff.username, now=clock.now())
    db.session.commit()
    flash(f"已修改 {staff.username} 的角色", "success")
    return redirect(url_for("admin.staff_list"))


@bp.post("/staff/<int:staff_id>/password")
@require_role("admin")
def staff_password(staff_id: int):  # noqa: ANN201
    staff = staff_service.get_staff(staff_id)
    staff_service.set_password(
        staff, request.form.get("password", ""), actor=g.staff.username, now=clock.now()
    )
    db.session.commit()
    flash(f"已重设 {staff.username} 的密码，该账号需重新登录", "success")
    return redirect(url_for("admin.staff_list"))


@bp.post("/staff/<int:staff_id>/active")
@require_role("admin")
def staff_active(staff_id: int):  # noqa: ANN201
    staff = staff_service.get_staff(staff_id)
    active = request.form.get("active") == "1"
    staff_service.set_active(staff, active, actor=g.staff.username, now=clock.now())
    db.session.commit()
    flash(f"已{'启用' if active else '停用'}账号 {staff.username}", "success")
    return redirect(url_for("admin.staff_list"))
