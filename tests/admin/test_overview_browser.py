"""Real headless Chromium: log in, open the overview, the four charts draw, no CSP violation; laptop and phone."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app import clock
from tests.admin.conftest import browser_login, make_staff
from tests.leaderboards.conftest import DAY1_EVENING, populate
from tests.support.browser import LAPTOP, PHONE, artifact

CHARTS = ("chart-by-day", "chart-scores", "chart-accuracy", "chart-by-team")
# Share of a canvas's pixels that are painted (alpha > 0): a drawn chart has axes, labels and bars.
PAINTED = """(id) => {
  const c = document.getElementById(id);
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let painted = 0;
  for (let i = 3; i < d.length; i += 4) { if (d[i] > 0) painted++; }
  return painted / (c.width * c.height);
}"""


@pytest.mark.parametrize("device", ["laptop", "phone"])
def test_overview_charts_render_in_chromium(app, lb_campaign, chromium_browser, live_server, device) -> None:  # noqa: ANN001
    populate(lb_campaign, n_people=30, days=2)
    clock.freeze(DAY1_EVENING + timedelta(days=1, hours=2))
    make_staff(app, "analyst", "browser_analyst")
    context = chromium_browser.new_context(**(LAPTOP if device == "laptop" else PHONE))
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    try:
        browser_login(page, live_server, "browser_analyst")
        page.wait_for_function("window.fangfeiCharts && Object.keys(window.fangfeiCharts).length === 4")
        page.wait_for_timeout(800)  # Chart.js animates in
        for chart in CHARTS:
            assert page.evaluate(f"!!window.fangfeiCharts['{chart}'].data.datasets[0].data.length"), chart
            painted = page.evaluate(PAINTED, chart)
            assert painted > 0.01, f"{chart} looks blank ({painted:.4f})"
        assert "今日参与人数" in page.content()
        teams = page.evaluate("window.fangfeiCharts['chart-by-team'].data.labels.length")
        assert teams == 32
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= page.viewport_size["width"] + 1, "the page scrolls sideways"
        page.screenshot(path=str(artifact(f"admin-overview-{device}.png")), full_page=True)
        assert artifact(f"admin-overview-{device}.png").stat().st_size > 10_000
        assert not [p for p in problems if "Content Security Policy" in p or "Refused" in p], problems
        assert not problems, problems
    finally:
        context.close()


def test_login_page_and_nav_on_a_phone(app, chromium_browser, live_server) -> None:  # noqa: ANN001
    make_staff(app, "admin", "phone_admin")
    context = chromium_browser.new_context(**PHONE)
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    try:
        page.goto(f"{live_server}/admin/login")
        page.screenshot(path=str(artifact("admin-login-phone.png")))
        browser_login(page, live_server, "phone_admin")
        assert not page.is_visible("#nav a[href='/admin/staff']")  # folded behind 菜单 on a phone
        page.click(".nav-toggle")
        page.click("#nav a[href='/admin/staff']")
        page.wait_for_url(f"{live_server}/admin/staff")
        assert "新建账号" in page.content()
        page.screenshot(path=str(artifact("admin-staff-phone.png")), full_page=True)
        assert not problems, problems
    finally:
        context.close()
