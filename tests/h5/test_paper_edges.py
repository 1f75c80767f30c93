"""Edges of a paper on the H5 page: a paper that ran out of time shows why, and never loops."""

from __future__ import annotations

from datetime import timedelta

from app import clock
from tests.factories import make_campaign
from tests.h5.test_accessibility import open_page, registered_phone
from tests.quiz.conftest import EVENING


def test_a_paper_past_its_time_limit_says_so(chromium_browser, site):
    with site.app.app_context():
        make_campaign(time_limit_seconds=300)  # the same campaign, now with a 5-minute limit
    context, page = registered_phone(chromium_browser, site, "o_h5_slow")
    open_page(page, site, "#/quiz")
    page.wait_for_selector("h1:has-text('第 1 题')")
    clock.freeze(EVENING + timedelta(minutes=30))
    open_page(page, site, "#/quiz")
    page.wait_for_selector("h1:has-text('这份试卷没有交卷')")
    page.wait_for_timeout(500)
    assert "没有交卷" in page.locator("main h1").inner_text()  # still there: no redirect loop
    assert "#/paper/" in page.url
    context.close()
