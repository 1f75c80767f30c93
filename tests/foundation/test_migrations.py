"""One Alembic head, and the models match it on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import Migrate

from app.extensions import db
from tests.conftest import build_app


def test_single_head(embedded_app):
    with embedded_app.app_context():
        config = embedded_app.extensions["migrate"].migrate.get_config()
        assert len(ScriptDirectory.from_config(config).get_heads()) == 1


@pytest.mark.parametrize("url_fixture", ["sqlite_url", "pg_url"])
def test_models_match_migrations(request, url_fixture):
    app = build_app(request.getfixturevalue(url_fixture))
    assert isinstance(app.extensions["migrate"].migrate, Migrate)
    with app.app_context(), db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), db.metadata)
        assert diff == [], f"models and migrations differ: {diff}"
        db.engine.dispose()
