"""An inbound WeChat message or event, normalised from the parsed XML fields."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any


def _coordinate(raw: str | None) -> float | None:
    """A finite float, or None when absent; ValueError for anything else (the gateway answers 400)."""
    if not raw:
        return None
    value = float(raw)
    if not math.isfinite(value):
        raise ValueError(f"coordinate {raw!r} is not finite")
    return value


@dataclass(frozen=True)
class Incoming:
    openid: str
    msg_type: str  # text, image, voice, location, event, ...
    create_time: int
    to_user: str = ""
    msg_id: str | None = None
    content: str = ""
    event: str = ""  # lower-case: subscribe, unsubscribe, scan, click, view, location
    event_key: str = ""
    media_id: str = ""
    pic_url: str = ""
    recognition: str = ""
    latitude: float | None = None
    longitude: float | None = None
    label: str = ""

    @property
    def text(self) -> str:
        """What the resident said: typed text, or voice recognition text."""
        return (self.content or self.recognition or "").strip()

    @property
    def dedup_key(self) -> str:
        """MsgId for messages; FromUserName+CreateTime+Event for events (WeChat's retry identity)."""
        if self.msg_id:
            return f"m:{self.msg_id}"
        return f"e:{self.openid}:{self.create_time}:{self.event}"

    @classmethod
    def from_fields(cls, f: dict[str, Any]) -> Incoming:
        """Build from the flat dict of XML child elements (keys as WeChat names them).

        ValueError when a numeric field (CreateTime, coordinates) is not a number."""
        msg_type = (f.get("MsgType") or "").lower()
        lat = f.get("Location_X") or f.get("Latitude")
        lng = f.get("Location_Y") or f.get("Longitude")
        return cls(
            openid=f.get("FromUserName") or "",
            to_user=f.get("ToUserName") or "",
            msg_type=msg_type,
            create_time=int(f.get("CreateTime") or 0),
            msg_id=f.get("MsgId") or None,
            content=f.get("Content") or "",
            event=(f.get("Event") or "").lower(),
            event_key=f.get("EventKey") or "",
            media_id=f.get("MediaId") or "",
            pic_url=f.get("PicUrl") or "",
            recognition=f.get("Recognition") or "",
            latitude=_coordinate(lat),
            longitude=_coordinate(lng),
            label=f.get("Label") or "",
        )
