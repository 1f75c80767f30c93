"""Dashboard test helpers: staff accounts, a logged-in test client per role, browser login.

def test_x(staff_client):
    client = staff_client("analyst")           # logged in through the real login form
    client.post("/admin/...", data={"csrf_token": csrf_token(client), ...})
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app import clock
from app.extensions import db
from app.services import staff as staff_service
from tests.leaderboards.conftest import lb_campaign  # noqa: F401  (campaign fixture for dashboard tests)

PASSWORD = "correct-horse-battery"  # noqa: S105 (test accounts only)
ROLES = ("admin", "analyst", "tip_handler")


def make_staff(app: Flask, role: str, username: str | None = None, password: str = PASSWORD) -> int:
    """Create an account (committed); returns its id. Username defaults to the role name."""
    with app.app_context():
        staff = staff_service.create_staff(username or role, password, role, now=clock.now())
        db.session.commit()
        return staff.id


def csrf_token(client: FlaskClient) -> str:
    """The session's CSRF token (opening any dashboard page creates it)."""
    with client.session_transaction() as session:
        token = session.get("csrf")
    if not token:
        client.get("/admin/login")
        with client.session_transaction() as session:
            token = session["csrf"]
    return token


def login(client: FlaskClient, username: str, password: str = PASSWORD):  # noqa: ANN201
    """Log in through the login form (with its CSRF token); returns the response."""
    return client.post(
        "/admin/login",
        data={"username": username, "password": password, "csrf_token": csrf_token(client)},
    )


def login_as(app: Flask, client: FlaskClient, role: str, username: str | None = None) -> FlaskClient:
    """Create an account with `role` and log `client` in as it."""
    username = username or role
    make_staff(app, role, username)
    response = login(client, username)
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


@pytest.fixture
def staff_client(app: Flask) -> Callable[..., FlaskClient]:
    """Factory: staff_client("analyst") is a test client logged in as a new analyst account."""

    def make(role: str, username: str | None = None) -> FlaskClient:
        return login_as(app, app.test_client(), role, username)

    return make


def browser_login(page, base_url: str, username: str, password: str = PASSWORD) -> None:  # noqa: ANN001
    """Log a Playwright page in through the login form; waits for the overview."""
    page.goto(f"{base_url}/admin/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base_url}/admin/")


@pytest.fixture
def played(app, lb_campaign):  # noqa: ANN001, ANN201, F811
    """40 residents over 3 days; the clock on day 3 evening."""
    from datetime import timedelta

    from app import clock
    from tests.leaderboards.conftest import DAY1_EVENING, populate

    populate(lb_campaign, n_people=40, days=3)
    clock.freeze(DAY1_EVENING + timedelta(days=2, hours=3))
    return lb_campaign
