"""Accessibility basics of the H5 page in Chromium at 375 px: a label on every input, focus order that
follows the page, text (not colour alone) for states, and text scaled to 200% without breaking the layout."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models.campaign import Campaign
from tests.factories import make_participant
from tests.h5.browser import resident_phone, shot
from tests.support.browser import PHONE

PAGES = [
    "#/",
    "#/rules",
    "#/register",
    "#/quiz/1",
    "#/results",
    "#/board",
    "#/tip",
    "#/tip-status",
    "#/me-data",
]

UNLABELLED = """() => Array.from(document.querySelectorAll('input, textarea, select'))
  .filter(el => el.type !== 'hidden')
  .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby'))
  .map(el => el.id || el.name)"""
OVERFLOW = """() => ({scroll: document.documentElement.scrollWidth, view: window.innerWidth,
  wide: Array.from(document.querySelectorAll('main *')).filter(el => el.getBoundingClientRect().right > window.innerWidth + 1
    && !el.closest('.table-wrap')).map(el => el.tagName + '#' + el.id + '.' + el.className)})"""


def registered_phone(chromium_browser, site, openid: str = "o_h5_a11y"):  # noqa: ANN001, ANN201
    with site.app.app_context():
        make_participant(
            db.session.scalars(select(Campaign)).one(), openid=openid, name="李建国", region="11"
        )
    context = resident_phone(chromium_browser, site, openid)
    page = context.new_page()
    page.goto(site.url + "/h5/")
    page.wait_for_selector("h1:has-text('测试活动')")
    return context, page


def open_page(page, site, hash_: str) -> None:  # noqa: ANN001
    """A fresh load of the page at a route (a hash change alone would keep the old screen a moment)."""
    page.goto("about:blank")
    page.goto(site.url + "/h5/" + hash_)
    page.wait_for_selector("main h1")
    page.wait_for_load_state("networkidle")


def test_every_input_has_a_label_and_no_positive_tabindex(chromium_browser, site):
    context, page = registered_phone(chromium_browser, site)
    for hash_ in PAGES:
        open_page(page, site, hash_)
        assert page.evaluate(UNLABELLED) == [], hash_
        assert page.locator("[tabindex]:not([tabindex='-1']):not([tabindex='0'])").count() == 0, hash_
        assert page.locator("[style]").count() == 0, hash_  # the CSP allows no inline styles
    context.close()


def test_focus_moves_through_the_registration_form_in_reading_order(chromium_browser, site):
    context, page = registered_phone(chromium_browser, site)
    open_page(page, site, "#/register")
    page.evaluate("() => document.activeElement.blur()")
    order: list[str] = []
    for _ in range(60):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "() => document.activeElement.id || document.activeElement.textContent.trim()"
        )
        if order and focused == order[0]:
            break
        order.append(focused)
        if focused == "register-submit":
            break
    wanted = ["name", "region-search", "region-11", "phone", "work_unit", "consent", "register-submit"]
    assert [f for f in order if f in wanted] == wanted, order
    nav = [f for f in order if f in ("首页", "答题", "我的成绩", "排行榜", "我要举报", "查询进度")]
    assert nav[: len(nav)] == ["首页", "答题", "我的成绩", "排行榜", "我要举报", "查询进度"][: len(nav)]
    context.close()


def test_text_scaled_to_200_percent_keeps_the_layout(chromium_browser, site):
    context, page = registered_phone(chromium_browser, site)
    for hash_ in PAGES:
        open_page(page, site, hash_)
        page.evaluate("() => { document.documentElement.style.fontSize = '225%'; }")  # 2 x the page's 112.5%
        size = page.evaluate("() => parseFloat(getComputedStyle(document.querySelector('main h1')).fontSize)")
        assert size >= 2 * 1.45 * 18 - 1, (hash_, size)  # the heading really doubled
        layout = page.evaluate(OVERFLOW)
        assert layout["scroll"] <= layout["view"], (hash_, layout)
        assert layout["wide"] == [], (hash_, layout)
        button = page.locator("main :is(.button, button):visible").first
        if button.count():
            box = button.bounding_box()
            assert (
                box is not None
                and box["x"] >= 0
                and box["x"] + box["width"] <= PHONE["viewport"]["width"] + 1
            )
        if hash_ == "#/quiz/1":
            shot(page, "h5-09-question-text-200.png")
            page.evaluate("() => document.querySelector('main h1').scrollIntoView()")
            shot(page, "h5-09-question-text-200-screen.png", full=False)
    context.close()


def test_states_are_told_in_words_not_only_colour(chromium_browser, site):
    context, page = registered_phone(chromium_browser, site)
    open_page(page, site, "#/board")
    mine = page.locator("tr.mine").first
    assert "（我的战队）" in mine.inner_text()
    open_page(page, site, "#/quiz/1")
    page.locator("input[name=opt]").first.check()
    page.locator("#save").click()
    page.wait_for_selector("h1:has-text('第 2 题')")
    page.go_back()
    page.wait_for_selector("h1:has-text('第 1 题')")
    assert "本题已作答，答案已保存" in page.locator("main").inner_text()
    nav_current = page.locator("nav.tabs a[aria-current=page]")
    assert nav_current.count() == 1 and nav_current.inner_text() == "答题"
    context.close()


def test_outside_wechat_a_browser_sees_how_to_open_the_page(chromium_browser, site):
    context = chromium_browser.new_context(**PHONE, locale="zh-CN")
    page = context.new_page()
    page.goto(site.url + "/h5/")
    assert page.locator("h1").inner_text() == "请在微信中打开"
    assert "开始答题" in page.locator("main").inner_text()
    shot(page, "h5-00-outside-wechat.png")
    context.close()
