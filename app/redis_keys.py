"""Every key of the state store (Redis or its database stand-in) and its TTL, in one place."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, has_app_context

DEFAULT_NAMESPACE = "ff"


def ns() -> str:
    """The key prefix: the current app's FANGFEI_REDIS_NAMESPACE (default "ff")."""
    if has_app_context():
        return current_app.config.get("REDIS_NAMESPACE") or DEFAULT_NAMESPACE
    return DEFAULT_NAMESPACE


@dataclass(frozen=True)
class Key:
    """A store key and how long it lives (seconds)."""

    name: str
    ttl: int


def dedup(message_key: str) -> Key:
    """Claim on an inbound WeChat message; holds the first reply so WeChat's retries get the same one."""
    return Key(f"{ns()}:dedup:{message_key}", 600)


def user_lock(openid: str) -> Key:
    """Per-user lock around one message's handling."""
    return Key(f"{ns()}:lock:user:{openid}", 8)


def dialog(openid: str, ttl: int = 1800) -> Key:
    """A user's conversation state (state name and draft data)."""
    return Key(f"{ns()}:dialog:{openid}", ttl)


def access_token(app_id: str) -> Key:
    """Cached WeChat access_token (TTL set from expires_in at write time; this is the cap)."""
    return Key(f"{ns()}:wechat:token:{app_id}", 7200)


def access_token_lock(app_id: str) -> Key:
    """Lock so that N processes make one access_token refresh."""
    return Key(f"{ns()}:wechat:token-lock:{app_id}", 10)


def rate(bucket: str, subject: str, window: int) -> Key:
    """Fixed-window rate-limit counter for a subject (openid, IP) in a bucket."""
    return Key(f"{ns()}:rate:{bucket}:{subject}", window)


def job_lock(job: str, run_key: str) -> Key:
    """Lock held while a scheduled job runs, so several schedulers run it once."""
    return Key(f"{ns()}:job:{job}:{run_key}", 600)


def oauth_code(code: str) -> Key:
    """Remembers an exchanged OAuth code so a reload with a used code keeps working."""
    return Key(f"{ns()}:oauth:code:{code}", 600)


LEADERBOARD_TTL = 120 * 24 * 3600  # leaderboards outlive a campaign by months; rebuildable any time


def leaderboard(campaign_id: int, part: str) -> Key:
    """A campaign's leaderboard structures: ready (marker), agg (hash), individuals (zset), team:all,
    team:<YYYY-MM-DD> (hashes). Rebuilt from stored papers when lost."""
    return Key(f"{ns()}:lb:{campaign_id}:{part}", LEADERBOARD_TTL)


def leaderboard_rebuild_lock(campaign_id: int) -> Key:
    return Key(f"{ns()}:lb:{campaign_id}:rebuild-lock", 900)


def miniprogram_code(code: str) -> Key:
    """Remembers an exchanged mini-program login code (code2session) so a retried login keeps working."""
    return Key(f"{ns()}:oauth:jscode:{code}", 600)


def bank_question_stats() -> Key:
    """Per-question statistics (drawn, answered, correct) over every paper, cached as JSON; a job refreshes it."""
    return Key(f"{ns()}:dash:bank-stats", 600)


def dashboard_stat(campaign_id: int, name: str) -> Key:
    """A staff-dashboard aggregate (score distribution, accuracy per type) cached as JSON; a job refreshes it."""
    return Key(f"{ns()}:dash:{campaign_id}:{name}", 600)
