"""A campaign's definition (a config file), parsed and validated: next year is a config change."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from config.regions import DIVISIONS, Region

CAMPAIGNS_DIR = Path(__file__).parent / "campaigns"
TZ = ZoneInfo("Asia/Shanghai")
TYPES = ("single", "judge", "multiple")


class CampaignSpecError(ValueError):
    """The campaign file is wrong; the message says which field and what to do."""


@dataclass(frozen=True)
class MixSpec:
    type: str
    count: int
    points: int


@dataclass(frozen=True)
class CampaignSpec:
    slug: str
    name: str
    starts_at: datetime  # aware, Asia/Shanghai
    ends_at: datetime
    mix: tuple[MixSpec, ...] = (MixSpec("single", 3, 10), MixSpec("judge", 3, 10), MixSpec("multiple", 2, 20))
    multiple_rule: str = "all_or_nothing"
    attempts_per_day: int = 1
    time_limit_seconds: int | None = None
    min_seconds_per_paper: int = 20
    shuffle_options: bool = True
    publish_time: time = time(10, 0)
    teams: tuple[Region, ...] = field(default_factory=tuple)
    team_formula: dict[str, Any] = field(default_factory=lambda: {"kind": "total"})
    top_individuals: int = 100

    @property
    def total_points(self) -> int:
        return sum(m.count * m.points for m in self.mix)

    def settings_json(self) -> dict[str, Any]:
        """Everything but name and window, for the database row."""
        return {
            "mix": [{"type": m.type, "count": m.count, "points": m.points} for m in self.mix],
            "multiple_rule": self.multiple_rule,
            "attempts_per_day": self.attempts_per_day,
            "time_limit_seconds": self.time_limit_seconds,
            "min_seconds_per_paper": self.min_seconds_per_paper,
            "shuffle_options": self.shuffle_options,
            "publish_time": self.publish_time.strftime("%H:%M"),
            "team_formula": self.team_formula,
            "top_individuals": self.top_individuals,
        }


def _when(value: Any, name: str) -> datetime:
    if not isinstance(value, str):
        raise CampaignSpecError(f"{name} must be a string like '2026-06-15 10:00' (Asia/Shanghai)")
    text = value.strip().replace("T", " ")
    end_of_day = text.endswith("24:00")
    if end_of_day:
        text = text[:-5] + "00:00"
    try:
        moment = datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=TZ)
    except ValueError:
        raise CampaignSpecError(f"{name} must look like '2026-06-15 10:00', got {value!r}") from None
    if end_of_day:
        from datetime import timedelta

        moment += timedelta(days=1)
    return moment


def _teams(value: Any) -> tuple[Region, ...]:
    if value is None or value == "national-32":
        return DIVISIONS["national-32"]
    if isinstance(value, str):
        if value not in DIVISIONS:
            raise CampaignSpecError(f"teams: unknown division {value!r} (known: {', '.join(DIVISIONS)})")
        return DIVISIONS[value]
    if not isinstance(value, list) or len(value) < 2:
        raise CampaignSpecError("teams must be 'national-32' or a list of at least 2 {code, name, aliases}")
    regions = []
    for i, item in enumerate(value):
        if not isinstance(item, dict) or not item.get("code") or not item.get("name"):
            raise CampaignSpecError(f"teams[{i}] needs a code and a name")
        population = item.get("population")
        regions.append(
            Region(
                str(item["code"]),
                str(item["name"]),
                tuple(item.get("aliases") or ()),
                int(population) if population else None,
            )
        )
    codes = [r.code for r in regions]
    if len(set(codes)) != len(codes):
        raise CampaignSpecError("teams: codes must be unique")
    return tuple(regions)


def parse_spec(data: dict[str, Any]) -> CampaignSpec:
    """Validate a campaign definition (as read from JSON)."""
    if not isinstance(data, dict):
        raise CampaignSpecError("a campaign file holds one JSON object")
    for key in ("slug", "name", "starts_at", "ends_at"):
        if not data.get(key):
            raise CampaignSpecError(f"{key} is required")
    starts, ends = _when(data["starts_at"], "starts_at"), _when(data["ends_at"], "ends_at")
    if ends <= starts:
        raise CampaignSpecError("ends_at must be after starts_at")
    if (ends - starts).days > 50:
        raise CampaignSpecError("a campaign lasts at most 50 days (leaderboards keep one bit per day)")
    mix = tuple(
        MixSpec(str(m.get("type")), int(m.get("count", 0)), int(m.get("points", 0)))
        for m in data.get("mix")
        or [
            {"type": "single", "count": 3, "points": 10},
            {"type": "judge", "count": 3, "points": 10},
            {"type": "multiple", "count": 2, "points": 20},
        ]
    )
    for m in mix:
        if m.type not in TYPES or m.count < 0 or m.points < 0:
            raise CampaignSpecError(f"mix: bad item {m} (type one of {TYPES}, count and points >= 0)")
    if sum(m.count for m in mix) == 0:
        raise CampaignSpecError("mix: a paper needs at least one question")
    formula = dict(data.get("team_formula") or {"kind": "total"})
    if formula.get("kind") not in ("total", "weighted", "per_capita"):
        raise CampaignSpecError("team_formula.kind must be total, weighted or per_capita")
    rule = data.get("multiple_rule", "all_or_nothing")
    if rule not in ("all_or_nothing", "partial"):
        raise CampaignSpecError("multiple_rule must be all_or_nothing or partial")
    try:
        hh, mm = str(data.get("publish_time", "10:00")).split(":")
        publish = time(int(hh), int(mm))
    except ValueError:
        raise CampaignSpecError("publish_time must look like 10:00") from None
    limit = data.get("time_limit_seconds")
    attempts = int(data.get("attempts_per_day", 1))
    if attempts < 1:
        raise CampaignSpecError("attempts_per_day must be at least 1")
    return CampaignSpec(
        slug=str(data["slug"]),
        name=str(data["name"]),
        starts_at=starts,
        ends_at=ends,
        mix=mix,
        multiple_rule=rule,
        attempts_per_day=attempts,
        time_limit_seconds=int(limit) if limit else None,
        min_seconds_per_paper=int(data.get("min_seconds_per_paper", 20)),
        shuffle_options=bool(data.get("shuffle_options", True)),
        publish_time=publish,
        teams=_teams(data.get("teams")),
        team_formula=formula,
        top_individuals=int(data.get("top_individuals", 100)),
    )


def load_spec(path: Path | str) -> CampaignSpec:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CampaignSpecError(f"cannot read {path}: {exc}") from None
    return parse_spec(data)
