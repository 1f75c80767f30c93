"""Headless Chromium for browser tests: Debian's /usr/bin/chromium driven by Playwright (no browser download).

With CI=true a missing Chromium fails the test; it never skips. `make test` installs the Debian packages.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.services import unavailable

CHROMIUM = os.environ.get("FANGFEI_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(os.environ.get("FANGFEI_TEST_ARTIFACTS", "tests/artifacts"))
# Flags the machine needs: its network is closed, so Chromium must not phone home.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
PHONE = {
    "viewport": {"width": 375, "height": 740},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
LAPTOP = {"viewport": {"width": 1366, "height": 800}}
WECHAT_UA = (
    "Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/116.0.0.0 Mobile Safari/537.36 MicroMessenger/8.0.47.2560(0x28002F35) NetType/WIFI Language/zh_CN"
)


@pytest.fixture(scope="session")
def chromium_browser() -> Iterator[object]:
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        unavailable("Chromium", f"{CHROMIUM} not found; apt-get install chromium chromium-driver")
    from playwright.sync_api import sync_playwright

    profile = tempfile.mkdtemp(prefix="fangfei-chromium-")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
            shutil.rmtree(profile, ignore_errors=True)


def artifact(name: str) -> Path:
    """Where a screenshot or download from a browser test is kept (tests/artifacts/, git-ignored)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS / name
