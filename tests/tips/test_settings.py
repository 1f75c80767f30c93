"""Tip destinations are checked at start: a notice that can never be sent is refused as configuration."""

from __future__ import annotations

import pytest

from config import ConfigError, load_settings


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({"FANGFEI_SMTP_SECURITY": "tls"}, "FANGFEI_SMTP_SECURITY"),
        ({"FANGFEI_TIP_EMAIL_TO": "duty@office.example"}, "FANGFEI_SMTP_HOST"),
        ({"FANGFEI_TIP_EMAIL_TO": "duty", "FANGFEI_SMTP_HOST": "mail"}, "FANGFEI_TIP_EMAIL_TO"),
        ({"FANGFEI_TIP_WEBHOOK_URLS": "https://office.example/hook"}, "FANGFEI_TIP_WEBHOOK_SECRET"),
        (
            {"FANGFEI_TIP_WEBHOOK_URLS": "ftp://x", "FANGFEI_TIP_WEBHOOK_SECRET": "k"},
            "FANGFEI_TIP_WEBHOOK_URLS",
        ),
        ({"FANGFEI_TIP_WECOM_WEBHOOK_URL": "qyapi.weixin.qq.com"}, "FANGFEI_TIP_WECOM_WEBHOOK_URL"),
        ({"FANGFEI_TIP_DAILY_LIMIT_USER": "many"}, "FANGFEI_TIP_DAILY_LIMIT_USER"),
    ],
)
def test_bad_destination_settings_name_the_variable(env, variable):
    with pytest.raises(ConfigError, match=variable):
        load_settings(environ=env)


def test_destination_settings_from_the_environment():
    s = load_settings(
        environ={
            "FANGFEI_TIP_EMAIL_TO": "a@office.example, b@office.example",
            "FANGFEI_SMTP_HOST": "smtp.office.example",
            "FANGFEI_SMTP_PORT": "465",
            "FANGFEI_SMTP_SECURITY": "ssl",
            "FANGFEI_TIP_WEBHOOK_URLS": "https://office.example/hook",
            "FANGFEI_TIP_WEBHOOK_SECRET": "k",
            "FANGFEI_TIP_NOTIFY_FULL_CONTENT": "1",
            "FANGFEI_TIP_RETENTION_DAYS": "365",
            "FANGFEI_SMTP_PASSWORD": "hunter2",
            "FANGFEI_TIP_WECOM_WEBHOOK_URL": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=ROBOTKEY",
        }
    )
    assert (s.SMTP_PORT, s.SMTP_SECURITY, s.TIP_NOTIFY_FULL_CONTENT, s.TIP_RETENTION_DAYS) == (
        465,
        "ssl",
        1,
        365,
    )
    masked = {name: value for name, value, _ in s.masked()}  # what `flask config check` prints
    assert "hunter2" not in masked["FANGFEI_SMTP_PASSWORD"]
    assert "ROBOTKEY" not in masked["FANGFEI_TIP_WECOM_WEBHOOK_URL"]
