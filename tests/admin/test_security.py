"""Dashboard security: every /admin route declares roles and enforces them; CSRF; security headers; CSP."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app import clock
from app.extensions import db
from app.models.staff import Staff
from app.web import security_headers
from app.web.admin.security import declared_roles
from tests.admin.conftest import ROLES, make_staff

TEMPLATES = Path(__file__).resolve().parents[2] / "app" / "templates"
UNSAFE = ("POST", "PUT", "PATCH", "DELETE")


def admin_routes(app: Flask) -> list[tuple[str, str, str]]:
    """(endpoint, url with placeholder arguments, method) for every /admin route and method."""
    routes = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/admin"):
            continue
        args = {}
        for name, converter in rule._converters.items():  # noqa: SLF001
            args[name] = 999999 if type(converter).__name__ in ("IntegerConverter",) else "none"
        url = rule.build(args)[1]
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            routes.append((rule.endpoint, url, method))
    return routes


def as_staff(app: Flask, client: FlaskClient, staff_id: int | None) -> None:
    """Put the client's session in the state a login leaves (fast: no argon2 per request)."""
    now = int(clock.now().timestamp())
    with client.session_transaction() as session:
        session.clear()
        session["csrf"] = "walk-token"
        if staff_id is not None:
            with app.app_context():
                version = db.session.get(Staff, staff_id).session_version
            session.update(staff_id=staff_id, staff_v=version, staff_at=now, staff_seen=now)


def test_every_admin_route_declares_roles(app: Flask) -> None:
    routes = admin_routes(app)
    assert len({endpoint for endpoint, _, _ in routes}) >= 8
    missing = sorted({e for e, _, _ in routes if declared_roles(app.view_functions[e]) is None})
    assert not missing, f"/admin routes without @require_role: {missing}"


@pytest.mark.parametrize("role", [None, *ROLES])
def test_every_admin_route_enforces_its_roles(app: Flask, role: str | None) -> None:
    staff_id = make_staff(app, role, f"walk_{role}") if role else None
    client = app.test_client()
    checked = 0
    for endpoint, url, method in admin_routes(app):
        declared = declared_roles(app.view_functions[endpoint])
        public = getattr(app.view_functions[endpoint], "_public", False)
        as_staff(app, client, staff_id)
        response = client.open(url, method=method, data={"csrf_token": "walk-token"})
        where = f"{method} {url} ({endpoint}) as {role}: {response.status_code}"
        location = response.headers.get("Location", "")
        if public:
            assert response.status_code not in (401, 403), where
        elif role is None:
            if method == "GET":
                assert response.status_code == 302 and "/admin/login?next=" in location, where
            else:
                assert response.status_code == 401, where
        elif role in declared:
            assert response.status_code not in (401, 403), where
            assert "/admin/login?next=" not in location, where
        else:
            assert response.status_code == 403, where
        checked += 1
    assert checked >= 10


def test_admin_is_allowed_everywhere(app: Flask) -> None:
    for endpoint, _, _ in admin_routes(app):
        roles = declared_roles(app.view_functions[endpoint])
        assert getattr(app.view_functions[endpoint], "_public", False) or "admin" in roles, endpoint


def test_every_state_changing_route_refuses_a_missing_or_wrong_csrf_token(app: Flask) -> None:
    staff_id = make_staff(app, "admin", "csrf_admin")
    client = app.test_client()
    unsafe = [(e, u, m) for e, u, m in admin_routes(app) if m in UNSAFE]
    assert unsafe
    for _endpoint, url, method in unsafe:
        for data, headers in (({}, {}), ({"csrf_token": "forged"}, {}), ({}, {"X-CSRF-Token": "forged"})):
            as_staff(app, client, staff_id)
            response = client.open(url, method=method, data=data, headers=headers)
            assert response.status_code == 400, f"{method} {url} {data} {headers}"
    # The header form is accepted for fetch():
    as_staff(app, client, staff_id)
    response = client.post("/admin/staff/999999/active", headers={"X-CSRF-Token": "walk-token"})
    assert response.status_code == 404


@pytest.mark.parametrize("path", ["/admin/login", "/healthz", "/admin/no-such-page", "/api/v1/openapi.json"])
def test_security_headers_on_every_response(app: Flask, path: str) -> None:
    response = app.test_client().get(path)
    csp = response.headers["Content-Security-Policy"]
    assert csp == security_headers.CONTENT_SECURITY_POLICY
    assert "script-src 'self';" in csp and "style-src 'self';" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp and "img-src 'self' data: blob:" in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in response.headers  # plain http outside production


def test_hsts_only_in_production() -> None:
    for env, expected in (("production", True), ("testing", False)):
        bare = Flask(__name__)
        bare.config["ENV"] = env
        security_headers.init_app(bare)
        bare.add_url_rule("/", "root", lambda: "ok")
        headers = bare.test_client().get("/").headers
        assert ("Strict-Transport-Security" in headers) is expected, env


def test_dashboard_pages_are_not_cached(staff_client) -> None:
    assert staff_client("admin").get("/admin/").headers["Cache-Control"] == "no-store"


def test_templates_have_no_inline_script_or_style() -> None:
    """The CSP has no 'unsafe-inline': inline code would silently not run, so none may exist."""
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for pattern in (r"<script(?![^>]*\bsrc=)[^>]*>", r"\sstyle\s*=", r"<style[\s>]", r"\son[a-z]+\s*="):
            if re.search(pattern, text, flags=re.IGNORECASE):
                offenders.append(f"{path.relative_to(TEMPLATES)}: {pattern}")
    assert len(list(TEMPLATES.rglob("*.html"))) >= 5
    assert not offenders, offenders
