"""A resident on a phone in WeChat (headless Chromium, 375 px): OAuth, registration, a full paper with a
double tap, a reload and the back button, the score and explanations, the leaderboard, a tip with a
photo and its status. Every /api/v1 response before submission is checked for answer keys."""

from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import expect
from sqlalchemy import select

from app import clock
from app.extensions import db
from app.models.campaign import Campaign
from app.models.tip import Tip, TipAttachment, TipIdentity
from app.services import publications
from tests.h5.browser import KEY_WORDS, Traffic, keys_in, resident_phone, shot
from tests.quiz.conftest import EVENING
from tests.support.browser import artifact


def answer_current(page, *, double_tap: bool = False) -> int:  # noqa: ANN001
    """Pick the first option (the first two on a multiple-choice question) and confirm; returns the position."""
    heading = page.locator("h1").inner_text()
    position = int(re.search(r"第 (\d+) 题", heading).group(1))
    boxes = page.locator("input[name=opt]")
    boxes.nth(0).check()
    if boxes.nth(0).get_attribute("type") == "checkbox":
        boxes.nth(1).check()
    if double_tap:
        page.locator("#save").dblclick()
    else:
        page.locator("#save").click()
    expect(page.locator("h1")).not_to_have_text(re.compile(f"第 {position} 题"))
    return position


def test_a_resident_plays_a_day_on_the_phone(chromium_browser, site):
    context = resident_phone(chromium_browser, site, "o_h5_resident")
    page = context.new_page()
    traffic = Traffic()
    traffic.watch(page)
    csp_errors: list[str] = []
    page.on("console", lambda m: csp_errors.append(m.text) if "Content Security Policy" in m.text else None)

    # 1. OAuth through the emulator lands on the page with a session.
    page.goto(site.url + "/h5/")
    page.wait_for_selector("h1:has-text('测试活动')")
    assert page.url.startswith(site.url + "/h5/") and "code=" not in page.url
    shot(page, "h5-01-home.png")

    # 2. Registration: privacy notice, searchable regions, consent.
    page.get_by_role("link", name="报名参加").click()
    page.wait_for_selector("#privacy")
    assert "个人信息" in page.locator("#privacy").inner_text()
    page.fill("#name", "王秀英")
    page.fill("#region-search", "广东")
    assert page.locator("#region-list label:visible").count() == 1
    page.check("#region-44")
    shot(page, "h5-02-register.png")
    page.locator("#region-search").scroll_into_view_if_needed()
    shot(page, "h5-02-register-screen.png", full=False)
    page.locator("#register-submit").click()
    assert "勾选" in page.locator("#msg").inner_text()  # nothing stored without consent
    page.check("#consent")
    page.locator("#register-submit").click()

    # 3. Today's paper, one question per screen; a double tap, a reload and the back button.
    page.wait_for_selector("h1:has-text('第 1 题（共 8 题）')")
    assert "单选题" in page.locator(".meta").inner_text() and "10 分" in page.locator(".meta").inner_text()
    shot(page, "h5-03-question.png")
    answer_current(page, double_tap=True)
    answer_current(page)
    page.reload()
    page.wait_for_selector("h1:has-text('第 3 题')")
    page.go_back()
    page.wait_for_selector("h1:has-text('第 2 题')")
    assert "已作答" in page.locator("main").inner_text()
    assert page.locator("input[name=opt]:checked").count() >= 1
    assert page.locator("input[name=opt]:disabled").count() == page.locator("input[name=opt]").count()
    page.locator("#save").click()  # 下一题: nothing is sent again
    page.wait_for_selector("h1:has-text('第 3 题')")
    while not page.url.endswith("#/quiz/done"):
        answer_current(page)
    page.wait_for_selector("#submit-paper")
    assert "已答 8 题，共 8 题" in page.locator("main").inner_text()
    clock.freeze(EVENING + timedelta(minutes=3))
    page.locator("#submit-paper").dblclick()
    page.wait_for_selector("#score")

    submit_at = next(i for i, c in enumerate(traffic.calls) if c[0] == "POST" and c[1].endswith("/submit"))
    before = traffic.calls[:submit_at]
    assert any(c[1] == "/papers/today" and c[2] == 200 for c in before)
    for method, path, _status, body, _sent in before:
        assert not keys_in(body) & KEY_WORDS, f"{method} {path} leaked {keys_in(body) & KEY_WORDS}"
    positions = [c[4]["position"] for c in traffic.posts("/answers")]
    assert sorted(positions) == list(range(1, 9)), positions  # each answer sent exactly once
    assert len(traffic.posts("/submit")) == 1

    # 4. Score and explanations.
    result = traffic.posts("/submit")[0][3]
    assert page.locator("#score").inner_text() == f"{result['score']} / {result['max_score']} 分"
    cards = page.locator(".review > li")
    assert cards.count() == 8
    for i in range(8):
        text = cards.nth(i).inner_text()
        assert ("回答正确" in text) != ("回答错误" in text) and "解析：" in text and "正确答案：" in text
    shot(page, "h5-04-review.png")
    shot(page, "h5-04-review-screen.png", full=False)
    page.reload()
    page.wait_for_selector("#score")
    assert len(traffic.posts("/submit")) == 1
    page.goto(site.url + "/h5/#/quiz")
    page.wait_for_selector("#score")  # today's paper is done: the quiz shows its result

    # 5. My scores and the leaderboard (published Top-10, live teams, my rank and my team's rank).
    with site.app.app_context():
        campaign = db.session.scalars(select(Campaign)).one()
        publications.publish_day(campaign, clock.campaign_day(clock.now()), clock.now())
        db.session.commit()
    page.locator("nav.tabs").get_by_role("link", name="我的成绩").click()
    page.wait_for_selector("#cumulative")
    assert page.locator("#cumulative").inner_text() == f"{result['cumulative_score']} 分"
    page.locator("nav.tabs").get_by_role("link", name="排行榜").click()
    page.wait_for_selector("#my-rank")
    mine = page.locator("#my-rank").inner_text()
    assert "我的排名：第 1 名" in mine and "我的战队：广东" in mine
    assert "前十名" in page.locator("main").inner_text()
    assert (
        page.locator("tr.mine").count() >= 2 and "（我的战队）" in page.locator("tr.mine").first.inner_text()
    )
    shot(page, "h5-05-leaderboard.png")
    shot(page, "h5-05-leaderboard-screen.png", full=False)

    # 6. A tip with a photo from the album, its receipt, its status.
    page.locator("nav.tabs").get_by_role("link", name="我要举报").click()
    page.wait_for_selector("#tip-submit")
    page.check("#cat-platform")
    page.fill("#target", "某某财富理财平台")
    page.fill("#story", "对方承诺年化收益30%，拉我邻居投了5万元，现在提不了现。")
    page.fill("#place", "幸福路小区门口")
    page.set_input_files("#files", str(artifact("h5-01-home.png")))
    # Real name: the tipster notice is shown and nothing is sent until its consent box is ticked.
    page.check("#real")
    expect(page.locator("#tip-privacy")).to_be_visible()
    assert len(page.locator("#tip-privacy").inner_text()) > 50
    page.fill("#tip-name", "王秀英")
    page.fill("#tip-phone", "13800138000")
    page.locator("#tip-submit").click()
    expect(page.locator("#msg")).to_contain_text("勾选")
    assert not any(c[0] == "POST" and c[1] == "/tips" for c in traffic.calls)
    page.check("#tip-consent")
    shot(page, "h5-06-tip.png")
    page.locator("#tip-submit").dblclick()
    page.wait_for_selector("#receipt")
    receipt = page.locator("#receipt").input_value()
    assert re.fullmatch(r"JB-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{2}", receipt), receipt
    page.locator("#copy-receipt").click()
    expect(page.locator("#msg")).to_contain_text("已复制")
    shot(page, "h5-07-receipt.png")
    with site.app.app_context():
        tips = db.session.scalars(select(Tip)).all()
        assert [t.receipt for t in tips] == [receipt]  # the double tap filed one tip
        assert tips[0].channel == "web" and tips[0].target == "某某财富理财平台"
        assert db.session.scalar(select(db.func.count()).select_from(TipAttachment)) == 1
        identity = db.session.scalars(select(TipIdentity)).one()  # real name, with the tips consent recorded
        assert identity.tip_id == tips[0].id and identity.consent_version and identity.consent_at

    page.locator("nav.tabs").get_by_role("link", name="查询进度").click()
    page.fill("#code", receipt)
    page.locator("#lookup").click()
    page.wait_for_selector("#status-label")
    filed = next(c[3] for c in traffic.calls if c[0] == "POST" and c[1] == "/tips")
    assert page.locator("#status-label").inner_text() == filed["status_label"] == "已受理"
    shot(page, "h5-08-status.png")

    assert csp_errors == []
    context.close()
