"""The browser harness itself: Debian's Chromium renders a page served by the app on a real socket."""

from tests.support.browser import PHONE, artifact


def test_chromium_renders_a_page_from_the_live_app(chromium_browser, live_server):
    context = chromium_browser.new_context(**PHONE)
    page = context.new_page()
    response = page.goto(live_server + "/healthz")
    assert response is not None and response.status == 200
    assert "ok" in page.content().lower()
    page.screenshot(path=str(artifact("harness-healthz.png")))
    assert artifact("harness-healthz.png").stat().st_size > 1000
    context.close()
