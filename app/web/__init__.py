"""Blueprints: the WeChat callback, health checks (resident API and staff pages come later)."""

from __future__ import annotations

from flask import Flask, jsonify
from sqlalchemy.exc import DataError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException

DATABASE_UNAVAILABLE = "系统有点忙，请稍后再试一次。"
BAD_INPUT = "提交的内容含有无法识别的字符，请修改后再试。"


def register_blueprints(app: Flask) -> None:
    from app.web.api import bp as api_bp
    from app.web.api import load_routes
    from app.web.h5 import bp as h5_bp
    from app.web.h5 import load_routes as load_h5_routes
    from app.web.health import bp as health_bp
    from app.web.wechat import bp as wechat_bp

    load_routes()
    app.register_blueprint(wechat_bp)
    app.register_blueprint(health_bp)
    app.register_blueprint(api_bp)
    load_h5_routes()
    app.register_blueprint(h5_bp)

    from app.web import security_headers
    from app.web.admin import bp as admin_bp

    app.register_blueprint(admin_bp)
    security_headers.init_app(app)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):  # noqa: ANN202
        return jsonify(error=exc.name, code=exc.code), exc.code

    @app.errorhandler(OperationalError)
    @app.errorhandler(PoolTimeout)
    def database_unavailable(exc: Exception):  # noqa: ANN202
        """Database down, restarting or too slow: a clean 503 the page can retry; nothing half-written."""
        from app.extensions import db

        app.logger.warning("database unavailable: %s", type(exc).__name__)
        try:
            db.session.rollback()
        except Exception:  # noqa: BLE001 (the connection may be gone; the pool replaces it)
            app.logger.warning("rollback after a database failure failed")
        body = jsonify(error="unavailable", message=DATABASE_UNAVAILABLE, code=503)
        return body, 503, {"Retry-After": "5"}

    @app.errorhandler(DataError)
    def database_refused_input(exc: DataError):  # noqa: ANN202
        """Input the database cannot store (a NUL byte, a number out of range): a 400, nothing stored."""
        from app.extensions import db

        app.logger.warning("database refused input: %s", str(exc.orig).splitlines()[0] if exc.orig else "")
        db.session.rollback()
        return jsonify(error="bad_request", message=BAD_INPUT, code=400), 400

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):  # noqa: ANN202
        app.logger.exception("unhandled error")
        return jsonify(error="internal error", code=500), 500
