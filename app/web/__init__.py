"""Blueprints: the WeChat callback, health checks (resident API and staff pages come later)."""

from __future__ import annotations

from flask import Flask, jsonify
from werkzeug.exceptions import HTTPException


def register_blueprints(app: Flask) -> None:
    from app.web.api import bp as api_bp
    from app.web.api import load_routes
    from app.web.health import bp as health_bp
    from app.web.wechat import bp as wechat_bp

    load_routes()
    app.register_blueprint(wechat_bp)
    app.register_blueprint(health_bp)
    app.register_blueprint(api_bp)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):  # noqa: ANN202
        return jsonify(error=exc.name, code=exc.code), exc.code

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):  # noqa: ANN202
        app.logger.exception("unhandled error")
        return jsonify(error="internal error", code=500), 500
