"""The resident H5 activity page at /h5: WeChat web OAuth into a session, then a server-rendered shell."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("h5", __name__, url_prefix="/h5")


def load_routes() -> None:
    from app.web.h5 import views  # noqa: F401
