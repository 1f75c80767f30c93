"""HTML injection: what residents type reaches staff pages and resident JSON escaped, never as markup."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import select

from app.extensions import db
from app.models.participant import Participant
from tests.api.helpers import resident
from tests.leaderboards.conftest import populate
from tests.tips.conftest import file_tip

SCRIPT = "<script>alert(1)</script>"
IMG = '<img src=x onerror="alert(2)">'
STATIC = Path(__file__).resolve().parents[2] / "app" / "static"


def test_tip_text_is_escaped_on_staff_pages(app, staff_client):
    receipt = file_tip(app, target=SCRIPT, story=f"{IMG} 他们说投一万每月返五百。", place=SCRIPT)["receipt"]
    client = staff_client("tip_handler")
    for path in ("/admin/tips", f"/admin/tips/{receipt}"):
        page = client.get(path)
        html = page.get_data(as_text=True)
        assert page.status_code == 200, path
        assert SCRIPT not in html and 'onerror="alert(2)"' not in html, path
    detail = client.get(f"/admin/tips/{receipt}").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in detail  # shown, as text


def test_registration_html_is_refused_or_escaped(app, lb_campaign, staff_client, emu):
    refused = resident(app, emu, register=False)
    res = refused.post("/register", {"name": SCRIPT, "region": "北京", "consent": True})
    assert res.status == 400 and res.body["error"] == "bad_name"  # names are letters only
    populate(lb_campaign, n_people=5, days=1)
    person = db.session.scalar(select(Participant).limit(1))
    person.work_unit = IMG  # work units may hold any printable text
    db.session.commit()
    client = staff_client("admin")
    for path in ("/admin/leaderboards/individuals", "/admin/leaderboards/teams", "/admin/"):
        page = client.get(path)
        assert page.status_code == 200, path
        assert IMG not in page.get_data(as_text=True)


def test_resident_pages_never_inject_html():
    """The H5 and dashboard scripts put server text into the page as text, never as markup."""
    offenders = []
    for js in STATIC.rglob("*.js"):
        if "vendor" in js.parts:
            continue
        for n, line in enumerate(js.read_text(encoding="utf-8").splitlines(), start=1):
            if re.search(r"\.(innerHTML|outerHTML)\s*[+]?=|insertAdjacentHTML|document\.write\(", line):
                offenders.append(f"{js.relative_to(STATIC)}:{n}: {line.strip()}")
    assert not offenders, offenders
