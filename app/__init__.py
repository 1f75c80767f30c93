"""fangfei: the backend of an anti-illegal-fundraising WeChat official account."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask

from config import Settings, load_settings


def create_app(settings: Settings | None = None, **overrides: Any) -> Flask:
    """Build the app: load settings, init extensions, register blueprints and CLI. No work at import."""
    settings = settings or load_settings(**overrides)
    app = Flask(__name__, instance_relative_config=False)
    app.config.update(settings.as_flask_config())
    app.extensions["fangfei.settings"] = settings
    logging.basicConfig(level=settings.LOG_LEVEL, format="%(asctime)s %(levelname)s %(name)s %(message)s")

    from app import runtime
    from app.extensions import db, migrate
    from app.services import after_commit  # noqa: F401  (registers the session listeners)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(runtime.MIGRATIONS_DIR), render_as_batch=True)
    runtime.init_app(app)

    from app import observability

    observability.init_app(app)

    from app.web import cookie_session, register_blueprints

    cookie_session.init_app(app)  # the session cookie without a serializer built per request
    register_blueprints(app)

    from app.cli import register_cli

    register_cli(app)
    return app
