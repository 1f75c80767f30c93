"""我的信息 on the H5 page: what is stored about me, and deleting it only after a second, explicit tap."""

from __future__ import annotations

from app.services import registration
from tests.h5.browser import shot
from tests.h5.test_accessibility import open_page, registered_phone


def test_a_resident_sees_and_deletes_their_data(chromium_browser, site):
    context, page = registered_phone(chromium_browser, site, "o_h5_mydata")
    open_page(page, site, "#/me-data")
    page.wait_for_selector("#my-data")
    shown = page.locator("#my-data").inner_text()
    assert "李建国" in shown and "北京" in shown
    shot(page, "h5-10-my-data.png")

    page.locator("#erase").click()
    assert page.locator("#erase-confirm").is_visible()
    page.locator("#erase-no").click()
    assert not page.locator("#erase-confirm").is_visible()
    with site.app.app_context():
        assert registration.get_participant("o_h5_mydata") is not None  # one tap deletes nothing

    page.locator("#erase").click()
    page.locator("#erase-yes").click()
    page.wait_for_selector("#erased")
    assert "已删除" in page.locator("#erased").inner_text()
    with site.app.app_context():
        assert registration.get_participant("o_h5_mydata") is None
    open_page(page, site, "#/me-data")
    assert "还没有报名" in page.locator("#my-data").inner_text()
    context.close()
