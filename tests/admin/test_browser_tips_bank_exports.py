"""Real headless Chromium against the live app: tip status in the inbox reaches the tipster's 查询, a bank
file with an error shows its row error on the preview page, an export downloads and opens in openpyxl."""

from __future__ import annotations

from openpyxl import load_workbook
from sqlalchemy import func, select

from app.extensions import db
from app.models.question import BankQuestion
from tests.admin.conftest import browser_login, make_staff
from tests.admin.test_bank_admin import BAD, GOOD, bank_file
from tests.admin.test_exports import _played
from tests.support.browser import LAPTOP, PHONE, artifact
from tests.tips.conftest import chat_tip


def _page(browser, device: dict, errors: list[str]):  # noqa: ANN001, ANN202
    context = browser.new_context(locale="zh-CN", accept_downloads=True, **device)
    page = context.new_page()
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    return context, page


def test_status_change_in_the_inbox_shows_in_the_residents_query(app, live_server, chromium_browser, wx):
    make_staff(app, "tip_handler", "officer-li")
    receipt = chat_tip(app, wx.openid)
    assert "已受理" in wx.text(f"查询 {receipt}")
    errors: list[str] = []
    context, page = _page(chromium_browser, LAPTOP, errors)
    try:
        browser_login(page, live_server, "officer-li")
        page.click("text=举报线索")
        page.click(f"text={receipt}")
        assert "他们说投一万每月返五百" in page.inner_text("main")
        page.select_option("#next-status", "verifying")
        page.fill("textarea[name=note]", "内部：已转经侦支队")
        page.click("#change-status")
        page.wait_for_selector("text=状态已改为“核查中”")
        page.fill("textarea[name=reply]", "您反映的情况正在核查，感谢您的举报。")
        page.click("text=保存答复")
        page.wait_for_selector("text=公开答复已保存")
        assert page.inner_text("#tip-status") == "核查中"
        page.screenshot(path=str(artifact("admin-tip-detail-laptop.png")), full_page=True)
    finally:
        context.close()
    reply = wx.text(f"查询 {receipt}")
    assert "核查中" in reply and "您反映的情况正在核查" in reply and "经侦" not in reply
    # The same inbox on a phone.
    context, page = _page(chromium_browser, PHONE, errors)
    try:
        browser_login(page, live_server, "officer-li")
        page.goto(f"{live_server}/admin/tips?status=verifying")
        assert receipt in page.inner_text("main")
        page.screenshot(path=str(artifact("admin-tips-phone.png")), full_page=True)
    finally:
        context.close()
    assert not [e for e in errors if "Content Security Policy" in e], errors


def test_bank_file_with_an_error_shows_the_row_on_the_preview(app, live_server, chromium_browser, tmp_path):
    app.config["MEDIA_DIR"] = str(tmp_path)
    make_staff(app, "admin", "boss")
    errors: list[str] = []
    context, page = _page(chromium_browser, LAPTOP, errors)
    try:
        browser_login(page, live_server, "boss")
        page.click("text=题库")
        page.click("text=导入题目")
        upload = {
            "name": "新题.xlsx",
            "mimeType": "application/octet-stream",
            "buffer": bank_file([GOOD, BAD]),
        }
        page.set_input_files("input[name=file]", upload)
        page.click("text=上传并检查")
        page.wait_for_selector("#import-errors")
        row = page.inner_text(".row-errors")
        assert "第3行" in row and "Z" in row
        assert page.locator("#confirm-import").count() == 0
        page.screenshot(path=str(artifact("admin-bank-preview-errors.png")), full_page=True)
        with app.app_context():
            assert db.session.scalar(select(func.count()).select_from(BankQuestion)) == 0
        # A clean file: preview, then confirm writes.
        page.click("text=重新上传")
        page.set_input_files("input[name=file]", {**upload, "buffer": bank_file([GOOD])})
        page.click("text=上传并检查")
        page.click("#confirm-import")
        page.wait_for_selector("text=导入完成：新增 1 题")
        with app.app_context():
            assert db.session.get(BankQuestion, "S901") is not None
    finally:
        context.close()
    assert not [e for e in errors if "Content Security Policy" in e], errors


def test_export_downloads_and_opens_in_openpyxl(app, live_server, chromium_browser):
    with app.app_context():
        campaign, _people = _played(3)
        name, teams = campaign.name, len(campaign.teams)
    make_staff(app, "analyst", "analyst-zhao")
    errors: list[str] = []
    context, page = _page(chromium_browser, LAPTOP, errors)
    try:
        browser_login(page, live_server, "analyst-zhao")
        page.click("text=数据导出")
        page.select_option("select[name=kind]", "publicity")
        assert name in page.inner_text("select[name=campaign]")
        with page.expect_download() as info:
            page.click("#campaign-export button[type=submit]")
        download = info.value
        assert download.suggested_filename.endswith(".xlsx")
        target = artifact("admin-export-publicity.xlsx")
        download.save_as(str(target))
        ws = load_workbook(target).worksheets[0]
        assert ws["A1"].value.endswith("防范非法集资宣传月活动情况统计表") and ws["F5"].value == 3
        page.select_option("select[name=kind]", "team")
        with page.expect_download() as info:
            page.click("#campaign-export button[type=submit]")
        team_file = artifact("admin-export-teams.xlsx")
        info.value.save_as(str(team_file))
        rows = list(load_workbook(team_file).worksheets[0].iter_rows(values_only=True))
        assert rows[0][0] == "名次" and len(rows) == 1 + teams
    finally:
        context.close()
    assert not [e for e in errors if "Content Security Policy" in e], errors
