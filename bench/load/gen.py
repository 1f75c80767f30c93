"""Pre-generate signed, AES-encrypted WeChat callbacks and API requests for wrk (replay.lua).

Generated just before each run, so timestamps are inside WeChat's 300-second window; every message has
its own MsgId. Requests are interleaved across a rolling window of residents, so one resident's next message is sent only
after about a hundred others, and every step of the flow is in the mix from the start.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path

from app.emulator.chat_client import ChatClient
from bench.load.seed import CHAT_ANSWERS, ApiUser

WINDOW = 160  # residents in flight in the generated stream (above the connections of the max runs)
Record = tuple[str, str, dict[str, str], bytes]  # method, path, headers, body


def chat_client(token: str, app_id: str, aes_key: str, openid: str, path: str = "/wechat") -> ChatClient:
    return ChatClient(lambda p, b: (0, ""), token, app_id, aes_key, "safe", openid, path=path)


def _sealed(client: ChatClient, fields: dict) -> Record:
    query, body = client.seal(client.build(fields))
    return "POST", f"{client.path}?{query}", {"Content-Type": "text/xml"}, body


def _interleave(per_user: list[list[Record]], window: int = WINDOW) -> Iterator[Record]:
    """A rolling window of about `window` residents: each round sends every active resident's next step;
    finished residents leave and new ones join a few per round, so from the first seconds every step of
    the flow is in the mix, and a resident's next request follows about `window` others."""
    pending = iter(per_user)
    steps_max = max((len(steps) for steps in per_user), default=1)
    per_round = max(1, window // steps_max)
    active: list[tuple[list[Record], int]] = []
    more, joining = True, window // 2  # a first round of window/2 keeps early gaps wide too
    while more or active:
        for _ in range(joining):
            nxt = next(pending, None) if more and len(active) < window else None
            if nxt is None:
                more = more and len(active) >= window
                break
            active.append((nxt, 0))
        joining = per_round
        following = []
        for steps, index in active:
            yield steps[index]
            if index + 1 < len(steps):
                following.append((steps, index + 1))
        active = following


def quiz_chat(keys: dict[str, str], openids: Iterable[str], path: str = "/wechat") -> Iterator[Record]:
    """Scenario (a): subscribe, 答题, eight answers (the eighth stores the paper), 排行榜."""
    per_user = []
    for openid in openids:
        c = chat_client(keys["token"], keys["app_id"], keys["aes_key"], openid, path)
        steps = [_sealed(c, {"MsgType": "event", "Event": "subscribe"}), _sealed(c, _text("答题"))]
        steps += [_sealed(c, _text(answer)) for answer in CHAT_ANSWERS]
        steps.append(_sealed(c, _text("排行榜")))
        per_user.append(steps)
    return _interleave(per_user, window_for(len(per_user)))


def window_for(residents: int) -> int:
    """A smaller window for small files (slow servers), so a short run still sees every step."""
    return max(48, min(WINDOW, residents // 4))


def echo_chat(keys: dict[str, str], openids: Iterable[str], per_user: int = 11) -> Iterator[Record]:
    """The floor's load: the same kind of encrypted text messages, answered with an encrypted echo."""
    users = []
    for openid in openids:
        c = chat_client(keys["token"], keys["app_id"], keys["aes_key"], openid)
        users.append([_sealed(c, _text("答题")) for _ in range(per_user)])
    return _interleave(users)


def _text(content: str) -> dict:
    return {"MsgType": "text", "Content": content}


def api_quiz(users: Iterable[ApiUser], prefix: str = "/api/v1") -> Iterator[Record]:
    """Scenario (b): get today's paper, submit it, the team leaderboard, my rank."""
    per_user = []
    for u in users:
        auth = {"Authorization": f"Bearer {u.token}", "X-Forwarded-For": u.ip, "X-Naive-Openid": u.openid}
        body = json.dumps({"answers": u.answers}).encode()
        per_user.append(
            [
                ("GET", f"{prefix}/papers/today", auth, b""),
                (
                    "POST",
                    f"{prefix}/papers/{u.paper_id}/submit",
                    {**auth, "Content-Type": "application/json"},
                    body,
                ),
                ("GET", f"{prefix}/leaderboard/teams", auth, b""),
                ("GET", f"{prefix}/leaderboard/me", auth, b""),
            ]
        )
    return _interleave(per_user, window_for(len(per_user)))


def leaderboard_reads(users: list[ApiUser], count: int, prefix: str = "/api/v1") -> Iterator[Record]:
    """Scenario (d) over HTTP: the team Top-10 board and my rank, alternating (reads repeat freely)."""
    for i in range(count):
        u = users[(i // 2) % len(users)]
        auth = {"Authorization": f"Bearer {u.token}", "X-Forwarded-For": u.ip}
        path = f"{prefix}/leaderboard/teams" if i % 2 == 0 else f"{prefix}/leaderboard/me"
        yield "GET", path, auth, b""


TIP = {
    "category": "platform",
    "target": "某某财富App",
    "story": "业务员说投十万每月返3%，拉人还有提成，现在提不了现。",
    "place": "某市某区某小区",
    "anonymous": True,
}


def tips(users: Iterable[ApiUser], prefix: str = "/api/v1") -> Iterator[Record]:
    """Scenario (c): anonymous tips through the web form (JSON)."""
    body = json.dumps(TIP, ensure_ascii=False).encode()
    for u in users:
        headers = {
            "Authorization": f"Bearer {u.token}",
            "X-Forwarded-For": u.ip,
            "X-Naive-Openid": u.openid,
            "Content-Type": "application/json",
        }
        yield "POST", f"{prefix}/tips", headers, body


def write(records: Iterable[Record], path: Path) -> int:
    """The replay file: "METHOD PATH", header count, headers, body length, body (see replay.lua)."""
    count = 0
    with open(path, "wb") as out:
        for method, target, headers, body in records:
            out.write(f"{method} {target}\n{len(headers)}\n".encode())
            for name, value in headers.items():
                out.write(f"{name}: {value}\n".encode())
            out.write(f"{len(body)}\n".encode() + body + b"\n")
            count += 1
    return count


def submits(users: Iterable[ApiUser], prefix: str = "/api/v1") -> Iterator[Record]:
    """Scenario (b'), submissions only: each resident submits the paper issued before the run."""
    for u in users:
        headers = {
            "Authorization": f"Bearer {u.token}",
            "X-Forwarded-For": u.ip,
            "X-Naive-Openid": u.openid,
            "Content-Type": "application/json",
        }
        yield (
            "POST",
            f"{prefix}/papers/{u.paper_id}/submit",
            headers,
            json.dumps({"answers": u.answers}).encode(),
        )
