"""FANGFEI_SCHEDULER_INTERVAL_SCALE: validated at start; scales interval jobs only; production default 1."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.jobs.registry import JOBS
from app.jobs.scheduler import build_scheduler
from config.settings import ConfigError, load_settings
from tests.conftest import build_app


def intervals(scale: float | None = None) -> dict[str, object]:
    overrides = {} if scale is None else {"SCHEDULER_INTERVAL_SCALE": scale}
    scheduler = build_scheduler(build_app("sqlite://", **overrides))
    return {job.id: getattr(job.trigger, "interval", job.trigger) for job in scheduler.get_jobs()}


def test_the_default_keeps_the_declared_periods() -> None:
    assert load_settings("production", environ={}, **_prod()).SCHEDULER_INTERVAL_SCALE == 1.0
    got = intervals()
    assert got["publish_due"] == timedelta(seconds=60)
    assert got["deliver_outbox"] == timedelta(seconds=10)
    assert {spec.name for spec in JOBS} == set(got)


def test_a_scale_speeds_up_interval_jobs_but_not_daily_ones() -> None:
    got = intervals(0.02)
    assert got["publish_due"] == timedelta(seconds=1.2)
    assert got["refresh_dashboard_stats"] == timedelta(seconds=6)
    assert got["deliver_outbox"] == timedelta(seconds=1)  # 0.2 s would be too often: at least 1 s
    assert str(got["purge_tips"]) == str(intervals()["purge_tips"])  # cron 03:30 unchanged
    assert "hour='3'" in str(got["purge_tips"]) and "minute='30'" in str(got["purge_tips"])


@pytest.mark.parametrize("raw", ["0", "-1", "0.001", "11", "nan", "fast"])
def test_an_unusable_scale_is_refused_at_start(raw: str) -> None:
    with pytest.raises(ConfigError, match="FANGFEI_SCHEDULER_INTERVAL_SCALE"):
        load_settings("testing", environ={"FANGFEI_SCHEDULER_INTERVAL_SCALE": raw})


def test_a_valid_scale_is_read_from_the_environment() -> None:
    assert (
        load_settings(
            "testing", environ={"FANGFEI_SCHEDULER_INTERVAL_SCALE": "0.02"}
        ).SCHEDULER_INTERVAL_SCALE
        == 0.02
    )


def _prod() -> dict[str, str]:
    from cryptography.fernet import Fernet

    return {
        "SECRET_KEY": "s" * 32,
        "WECHAT_TOKEN": "tok",
        "WECHAT_APP_SECRET": "sec",
        "WECHAT_AES_KEY": "b" * 43,
        "DATA_KEY": Fernet.generate_key().decode(),
        "DATABASE_URL": "postgresql+psycopg://x@127.0.0.1/x",
        "WECHAT_APP_ID": "wx1111111111111111",
    }
