"""Every key of the state store (Redis or its database stand-in) and its TTL, in one place."""

from __future__ import annotations

from dataclasses import dataclass

NAMESPACE = "ff"


@dataclass(frozen=True)
class Key:
    """A store key and how long it lives (seconds)."""

    name: str
    ttl: int


def dedup(message_key: str) -> Key:
    """Claim on an inbound WeChat message; holds the first reply so WeChat's retries get the same one."""
    return Key(f"{NAMESPACE}:dedup:{message_key}", 600)


def user_lock(openid: str) -> Key:
    """Per-user lock around one message's handling."""
    return Key(f"{NAMESPACE}:lock:user:{openid}", 8)


def dialog(openid: str, ttl: int = 1800) -> Key:
    """A user's conversation state (state name and draft data)."""
    return Key(f"{NAMESPACE}:dialog:{openid}", ttl)


def access_token(app_id: str) -> Key:
    """Cached WeChat access_token (TTL set from expires_in at write time; this is the cap)."""
    return Key(f"{NAMESPACE}:wechat:token:{app_id}", 7200)


def access_token_lock(app_id: str) -> Key:
    """Lock so that N processes make one access_token refresh."""
    return Key(f"{NAMESPACE}:wechat:token-lock:{app_id}", 10)


def rate(bucket: str, subject: str, window: int) -> Key:
    """Fixed-window rate-limit counter for a subject (openid, IP) in a bucket."""
    return Key(f"{NAMESPACE}:rate:{bucket}:{subject}", window)


def job_lock(job: str, run_key: str) -> Key:
    """Lock held while a scheduled job runs, so several schedulers run it once."""
    return Key(f"{NAMESPACE}:job:{job}:{run_key}", 600)


def oauth_code(code: str) -> Key:
    """Remembers an exchanged OAuth code so a reload with a used code keeps working."""
    return Key(f"{NAMESPACE}:oauth:code:{code}", 600)
