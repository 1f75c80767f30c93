"""The JSON API under /api/v1 for the H5 activity page and a mini-program."""

from __future__ import annotations

from flask import Blueprint, jsonify
from werkzeug.exceptions import HTTPException

from app.errors import DomainError
from app.extensions import db

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.errorhandler(DomainError)
def domain_error(exc: DomainError):  # noqa: ANN201
    db.session.rollback()
    return jsonify(error=exc.code, message=exc.message), exc.status


@bp.errorhandler(HTTPException)
def http_error(exc: HTTPException):  # noqa: ANN201
    db.session.rollback()
    return jsonify(error=exc.name.lower().replace(" ", "_"), message=exc.description), exc.code


def load_routes() -> None:
    """Import route modules so they attach to the blueprint (each feature adds its module here)."""
    from app.web.api import auth, leaderboard, login, me_data, openapi, quiz, quiz_papers, tips  # noqa: F401
