"""Staff accounts: create, authenticate (argon2, no user enumeration), change role/password, deactivate."""

from __future__ import annotations

import re
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select

from app.errors import Conflict, DomainError, NotFound
from app.extensions import db
from app.models.staff import ROLES, Staff
from app.services import audit

ROLE_LABELS = {"admin": "管理员", "analyst": "数据分析员", "tip_handler": "线索处理员"}
MIN_PASSWORD = 10
USERNAME = re.compile(r"^[A-Za-z0-9_.-]{2,40}$")
_hasher = PasswordHasher()
# Verified against when the username is unknown, so both failures cost one argon2 verify.
_DUMMY_HASH = _hasher.hash("fangfei-no-such-user")


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise DomainError(f"角色必须是 {', '.join(ROLES)} 之一", code="bad_role")


def _check_password(password: str, username: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise DomainError(f"密码至少 {MIN_PASSWORD} 个字符", code="weak_password")
    if password.lower() == username.lower():
        raise DomainError("密码不能与用户名相同", code="weak_password")


def create_staff(username: str, password: str, role: str, *, now: datetime, actor: str = "system") -> Staff:
    """A new active account. Usernames are 2-40 letters, digits, _ . -; passwords at least 10 characters."""
    username = username.strip()
    if not USERNAME.match(username):
        raise DomainError("用户名为 2-40 位字母、数字或 _ . -", code="bad_username")
    _check_role(role)
    _check_password(password, username)
    if db.session.scalar(select(Staff.id).where(func.lower(Staff.username) == username.lower())):
        raise Conflict("该用户名已存在", code="username_taken")
    staff = Staff(
        username=username,
        password_hash=_hasher.hash(password),
        role=role,
        active=True,
        session_version=1,
        created_at=now,
    )
    db.session.add(staff)
    db.session.flush()
    audit.record(actor, "staff.create", "staff", staff.id, now=now, detail=f"{username} {role}")
    return staff


def authenticate(username: str, password: str, *, now: datetime) -> Staff | None:
    """The active account whose password matches, else None. Unknown users cost the same argon2 verify."""
    staff = db.session.scalar(select(Staff).where(func.lower(Staff.username) == username.strip().lower()))
    stored = staff.password_hash if staff is not None else _DUMMY_HASH
    try:
        _hasher.verify(stored, password)
        ok = staff is not None
    except (VerificationError, InvalidHashError):
        ok = False
    if not ok or staff is None or not staff.active:
        return None
    if _hasher.check_needs_rehash(staff.password_hash):
        staff.password_hash = _hasher.hash(password)
    staff.last_login_at = now
    return staff


def get_staff(staff_id: int) -> Staff:
    staff = db.session.get(Staff, staff_id)
    if staff is None:
        raise NotFound("没有这个账号", code="staff_not_found")
    return staff


def list_staff() -> list[Staff]:
    return list(db.session.scalars(select(Staff).order_by(Staff.username)))


def _active_admins() -> int:
    return (
        db.session.scalar(select(func.count(Staff.id)).where(Staff.role == "admin", Staff.active.is_(True)))
        or 0
    )


def set_role(staff: Staff, role: str, *, actor: str, now: datetime) -> None:
    """Change a role; the last active admin cannot be demoted (someone must be able to manage accounts)."""
    _check_role(role)
    if staff.role == "admin" and role != "admin" and staff.active and _active_admins() <= 1:
        raise DomainError("不能降级最后一个管理员", code="last_admin")
    old = staff.role
    staff.role = role
    staff.session_version += 1
    audit.record(actor, "staff.role", "staff", staff.id, now=now, detail=f"{old} -> {role}")


def set_active(staff: Staff, active: bool, *, actor: str, now: datetime) -> None:
    """Enable or disable an account; disabling logs it out everywhere. The last admin stays active."""
    if not active and staff.role == "admin" and staff.active and _active_admins() <= 1:
        raise DomainError("不能停用最后一个管理员", code="last_admin")
    staff.active = active
    staff.session_version += 1
    audit.record(actor, "staff.enable" if active else "staff.disable", "staff", staff.id, now=now)


def set_password(staff: Staff, password: str, *, actor: str, now: datetime) -> None:
    """New password; every existing session of this account ends."""
    _check_password(password, staff.username)
    staff.password_hash = _hasher.hash(password)
    staff.session_version += 1
    audit.record(actor, "staff.password", "staff", staff.id, now=now)
