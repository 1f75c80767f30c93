"""Per-app runtime objects (state store, router, WeChat API) kept in app.extensions."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app

from app.state_store import DatabaseStore, RedisStore, StateStore, connect_redis
from app.wechat.client import TokenProvider, WeChatApi
from app.wechat.inbound import GatewayConfig

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def init_app(app: Flask) -> None:
    from wechat_handlers.registry import build_router

    settings = app.extensions["fangfei.settings"]
    if settings.REDIS_URL:
        app.extensions["fangfei.redis"] = connect_redis(settings.REDIS_URL, settings.REDIS_TIMEOUT)
    app.extensions["fangfei.router"] = build_router()
    from app.services import after_commit, leaderboards

    after_commit.subscribe("paper_submitted", leaderboards.on_paper_submitted)
    after_commit.subscribe("participant_renamed", leaderboards.on_participant_renamed)
    app.extensions["fangfei.gateway"] = GatewayConfig(
        token=settings.WECHAT_TOKEN,
        app_id=settings.WECHAT_APP_ID,
        aes_key=settings.WECHAT_AES_KEY,
        mode=settings.WECHAT_MSG_MODE,
        tolerance=settings.WECHAT_TIMESTAMP_TOLERANCE,
    )


def store(app: Flask | None = None) -> StateStore:
    """The state store: Redis when configured, else the database (created lazily: needs the engine)."""
    app = app or current_app
    existing = app.extensions.get("fangfei.store")
    if existing is None:
        redis_client = app.extensions.get("fangfei.redis")
        if redis_client is not None:
            existing = RedisStore(redis_client)
        else:
            from app.extensions import db

            with app.app_context():
                existing = DatabaseStore(db.engine)
        app.extensions["fangfei.store"] = existing
    return existing


def router(app: Flask | None = None):  # noqa: ANN201
    return (app or current_app).extensions["fangfei.router"]


def gateway(app: Flask | None = None) -> GatewayConfig:
    return (app or current_app).extensions["fangfei.gateway"]


def wechat_api(app: Flask | None = None) -> WeChatApi:
    """The WeChat API client (one per app; the token itself is shared through the store)."""
    app = app or current_app
    api = app.extensions.get("fangfei.wechat_api")
    if api is None:
        s = app.extensions["fangfei.settings"]
        provider = TokenProvider(
            store(app), s.WECHAT_APP_ID, s.WECHAT_APP_SECRET, s.WECHAT_API_BASE, s.HTTP_TIMEOUT
        )
        api = WeChatApi(provider, s.WECHAT_API_BASE, timeout=s.HTTP_TIMEOUT)
        app.extensions["fangfei.wechat_api"] = api
    return api
