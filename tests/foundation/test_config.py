"""Settings: defaults, FANGFEI_* overrides, production refusals, and `flask config check`."""

from __future__ import annotations

import pytest

from app import create_app
from config import ConfigError, load_settings
from config.settings import PREFIX, Settings

PROD_ENV = {
    "FANGFEI_ENV": "production",
    "FANGFEI_SECRET_KEY": "s3cret-prod-key",
    "FANGFEI_WECHAT_TOKEN": "prodtoken",
    "FANGFEI_WECHAT_APP_ID": "wxabcdefabcdef1234",
    "FANGFEI_WECHAT_APP_SECRET": "prod-app-secret",
    "FANGFEI_WECHAT_AES_KEY": "Z" * 43,
    "FANGFEI_DATA_KEY": "cHJvZC1kYXRhLWtleS0zMi1ieXRlcy1sb25nLWtleSE=",
    "FANGFEI_DATABASE_URL": "postgresql+psycopg://app@db/fangfei",
    "FANGFEI_REDIS_URL": "redis://cache:6379/0",
}


def test_development_defaults():
    s = load_settings(environ={})
    assert s.ENV == "development"
    assert s.WECHAT_TOKEN == "fangfei-dev-token"
    assert s.WECHAT_APP_ID == "wx0123456789abcdef"
    assert s.WECHAT_AES_KEY == "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
    assert s.WECHAT_MSG_MODE == "compatible"
    assert s.DATABASE_URL.startswith("sqlite:///") and s.DATABASE_URL.endswith("instance/fangfei.db")
    assert s.REDIS_URL == ""


def test_every_setting_overridable_by_env():
    env = {"FANGFEI_REDIS_URL": "redis://x:1/2", "FANGFEI_HTTP_TIMEOUT": "2.5", "FANGFEI_DIALOG_TTL": "60"}
    s = load_settings(environ=env)
    assert (s.REDIS_URL, s.HTTP_TIMEOUT, s.DIALOG_TTL) == ("redis://x:1/2", 2.5, 60)


def test_every_setting_is_documented():
    from dataclasses import fields

    for f in fields(Settings):
        assert f.metadata.get("doc"), f"{PREFIX}{f.name} has no documentation"


def test_bad_number_names_the_variable():
    with pytest.raises(ConfigError, match="FANGFEI_DIALOG_TTL"):
        load_settings(environ={"FANGFEI_DIALOG_TTL": "soon"})


def test_bad_mode_names_the_variable():
    with pytest.raises(ConfigError, match="FANGFEI_WECHAT_MSG_MODE"):
        load_settings(environ={"FANGFEI_WECHAT_MSG_MODE": "fast"})


def test_production_accepts_real_settings():
    s = load_settings(environ=PROD_ENV)
    assert s.ENV == "production" and s.WECHAT_API_BASE == "https://api.weixin.qq.com/"


@pytest.mark.parametrize(
    "name", ["SECRET_KEY", "WECHAT_TOKEN", "WECHAT_APP_SECRET", "WECHAT_AES_KEY", "DATA_KEY"]
)
def test_production_refuses_missing_secret(name):
    env = {k: v for k, v in PROD_ENV.items() if k != PREFIX + name}
    with pytest.raises(ConfigError, match=PREFIX + name):
        load_settings(environ=env)


def test_production_refuses_development_secret():
    env = {**PROD_ENV, "FANGFEI_WECHAT_TOKEN": "fangfei-dev-token"}
    with pytest.raises(ConfigError, match="FANGFEI_WECHAT_TOKEN"):
        load_settings(environ=env)


def test_production_refuses_sqlite():
    env = {**PROD_ENV, "FANGFEI_DATABASE_URL": "sqlite:///x.db"}
    with pytest.raises(ConfigError, match="FANGFEI_DATABASE_URL"):
        load_settings(environ=env)


def test_config_check_masks_secrets(monkeypatch):
    for k, v in PROD_ENV.items():
        monkeypatch.setenv(k, v)
    monkeypatch.setenv("FANGFEI_DATABASE_URL", "postgresql+psycopg://app:hunter2@db/fangfei")
    app = create_app()
    out = app.test_cli_runner().invoke(args=["config", "check"]).output
    assert "FANGFEI_WECHAT_APP_ID" in out and "wxabcdefabcdef1234" in out
    for secret in ("s3cret-prod-key", "prodtoken", "prod-app-secret", "Z" * 43, "hunter2"):
        assert secret not in out
    assert "app:******@db" in out
