"""Staff login: argon2, no user enumeration, lockout, fixation, timeouts, cookies, CLI."""

from __future__ import annotations

import time
from datetime import timedelta

from sqlalchemy import select

from app import clock
from app.extensions import db
from app.models.audit import AuditLog
from app.models.staff import Staff
from config.settings import Settings
from tests.admin.conftest import PASSWORD, csrf_token, login, make_staff


def test_password_is_stored_as_argon2_and_login_opens_the_overview(app) -> None:
    make_staff(app, "admin", "wang")
    with app.app_context():
        stored = db.session.scalar(select(Staff.password_hash))
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    client = app.test_client()
    assert client.get("/admin/").status_code == 302
    response = login(client, "wang")
    assert response.status_code == 302 and response.headers["Location"].endswith("/admin/")
    page = client.get("/admin/").get_data(as_text=True)
    assert "总览" in page and "wang" in page


def test_unknown_user_and_wrong_password_look_the_same(app) -> None:
    make_staff(app, "admin", "wang")
    client = app.test_client()
    timings = {}
    bodies = {}
    for name in ("wang", "nobody"):
        started = time.perf_counter()
        response = login(client, name, "wrong-password-123")
        timings[name] = time.perf_counter() - started
        assert response.status_code == 200
        bodies[name] = response.get_data(as_text=True).replace(name, "NAME")
    assert "用户名或密码错误" in bodies["wang"]
    assert (
        bodies["wang"].split('name="csrf-token"')[1][80:]
        == bodies["nobody"].split('name="csrf-token"')[1][80:]
    )
    # Both pay one argon2 verify: neither is more than 3x (plus slack) the other.
    fast, slow = sorted(timings.values())
    assert slow < fast * 3 + 0.05, timings


def test_repeated_failures_lock_the_username_even_with_the_right_password(app) -> None:
    make_staff(app, "admin", "wang")
    client = app.test_client()
    for _ in range(5):
        assert "用户名或密码错误" in login(client, "wang", "wrong-password-123").get_data(as_text=True)
    response = login(client, "wang")
    assert response.status_code == 429
    assert "登录失败次数过多" in response.get_data(as_text=True)
    assert client.get("/admin/").status_code == 302  # still not logged in
    with app.app_context():
        actions = list(db.session.scalars(select(AuditLog.action)))
    assert actions.count("staff.login_failed") == 5 and "staff.login_locked" in actions


def test_login_requires_the_csrf_token(app) -> None:
    make_staff(app, "admin", "wang")
    client = app.test_client()
    client.get("/admin/login")
    response = client.post("/admin/login", data={"username": "wang", "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/admin/").status_code == 302


def test_login_replaces_the_session_so_a_planted_one_is_useless(app) -> None:
    make_staff(app, "admin", "wang")
    client = app.test_client()
    token_before = csrf_token(client)
    with client.session_transaction() as session:
        session["planted"] = "by-attacker"
    assert login(client, "wang").status_code == 302
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["csrf"] != token_before
        assert session["staff_id"]


def test_session_cookie_flags(app) -> None:
    make_staff(app, "admin", "wang")
    client = app.test_client()
    response = login(client, "wang")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # testing profile (plain http); production sets it
    assert Settings(ENV="production").as_flask_config()["SESSION_COOKIE_SECURE"] is True


def test_idle_session_times_out(app) -> None:
    make_staff(app, "admin", "wang")
    client = app.test_client()
    start = clock.now()
    clock.freeze(start)
    login(client, "wang")
    clock.freeze(start + timedelta(minutes=29))
    assert client.get("/admin/").status_code == 200
    clock.freeze(start + timedelta(minutes=29 + 31))
    response = client.get("/admin/")
    assert response.status_code == 302 and "/admin/login" in response.headers["Location"]
    assert "登录已超时" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_password_reset_ends_other_sessions(app, staff_client) -> None:
    admin = staff_client("admin")
    victim_id = make_staff(app, "analyst", "li")
    other = app.test_client()
    login(other, "li")
    assert other.get("/admin/").status_code == 200
    response = admin.post(
        f"/admin/staff/{victim_id}/password",
        data={"password": "another-long-password", "csrf_token": csrf_token(admin)},
    )
    assert response.status_code == 302
    assert other.get("/admin/").status_code == 302


def test_logout_needs_post_with_csrf(staff_client) -> None:
    client = staff_client("analyst")
    assert client.get("/admin/logout").status_code == 405
    assert client.post("/admin/logout").status_code == 400
    assert client.post("/admin/logout", data={"csrf_token": csrf_token(client)}).status_code == 302
    assert client.get("/admin/").status_code == 302


def test_flask_staff_create_makes_the_first_admin(app) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["staff", "create", "boss", "--role", "admin", "--password-stdin"], input="a-long-password-1\n"
    )
    assert result.exit_code == 0, result.output
    short = runner.invoke(
        args=["staff", "create", "x2y", "--role", "admin", "--password-stdin"], input="short\n"
    )
    assert short.exit_code != 0 and "至少" in short.output
    client = app.test_client()
    assert login(client, "boss", "a-long-password-1").status_code == 302
