"""The campaign clock: the only place that knows what time and which day it is (Asia/Shanghai)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

CAMPAIGN_TZ = ZoneInfo("Asia/Shanghai")
_frozen: datetime | None = None


def now() -> datetime:
    """Aware UTC now (or the frozen time set by tests and benchmarks)."""
    return _frozen if _frozen is not None else datetime.now(UTC)


def freeze(at: datetime | None) -> None:
    """Freeze now() at an aware datetime (None unfreezes). For tests, jobs replays and benchmarks."""
    global _frozen
    if at is not None and at.tzinfo is None:
        raise ValueError("freeze() needs an aware datetime")
    _frozen = at.astimezone(UTC) if at is not None else None


def local(moment: datetime) -> datetime:
    """The same instant in Asia/Shanghai."""
    return moment.astimezone(CAMPAIGN_TZ)


def campaign_day(moment: datetime) -> date:
    """The Asia/Shanghai calendar date of an instant."""
    return local(moment).date()


def local_datetime(day: date, at: time) -> datetime:
    """An Asia/Shanghai wall-clock time on a day, as aware UTC."""
    return datetime.combine(day, at, tzinfo=CAMPAIGN_TZ).astimezone(UTC)


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """[start, end) of an Asia/Shanghai day in aware UTC."""
    start = local_datetime(day, time(0, 0))
    return start, start + timedelta(days=1)


def ensure_aware(moment: datetime) -> datetime:
    """SQLite returns naive datetimes; the database stores UTC, so attach UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def fmt_local(moment: datetime, pattern: str = "%Y-%m-%d %H:%M") -> str:
    """Format an instant as Asia/Shanghai wall-clock time for residents and staff."""
    return local(ensure_aware(moment)).strftime(pattern)
