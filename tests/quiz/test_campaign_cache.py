"""The open campaign comes from the process's copy (no query within READ_CACHE_SECONDS), merged into the
request's session; a change committed in this process is seen at once, another process's within the TTL."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import create_engine, text

from app.extensions import db
from app.services import campaigns
from tests.factories import make_campaign
from tests.support.statements import recorded

IN_CAMPAIGN = datetime(2026, 6, 16, 4, 0, tzinfo=UTC)


def test_current_campaign_is_read_once_and_attached_to_the_session(app):
    with app.app_context():
        made = make_campaign()
        db.session.commit()
        now = IN_CAMPAIGN
        assert campaigns.current_campaign(now).id == made.id
        db.session.commit()
        with recorded(db.engine, lambda statement: "FROM campaigns" in statement) as seen:
            for _ in range(5):
                found = campaigns.require_open(now)
                assert found.id == made.id and found in db.session
                assert campaigns.rules_of(found).total_points == 100
                db.session.commit()
        assert seen == []


def test_attach_false_returns_the_shared_copy_without_touching_the_session(app):
    with app.app_context():
        made_id = make_campaign().id
        db.session.commit()
        attached = campaigns.require_open(IN_CAMPAIGN)
        rules = campaigns.rules_of(attached)
        db.session.commit()
        shared = campaigns.require_open(IN_CAMPAIGN, attach=False)
        assert shared.id == made_id and shared not in db.session
        assert shared is campaigns.current_campaign(IN_CAMPAIGN, attach=False)  # the process's one copy
        assert shared is not attached
        assert campaigns.rules_of(shared) == rules
        assert not db.session().in_transaction()  # nothing was read or merged


def test_a_change_in_this_process_is_seen_at_once(app):
    with app.app_context():
        made = make_campaign()
        db.session.commit()
        now = IN_CAMPAIGN
        assert campaigns.current_campaign(now).is_open(now)
        made = db.session.get(type(made), made.id)
        made.ends_at = now - timedelta(seconds=1)
        db.session.commit()
        assert not campaigns.current_campaign(now).is_open(now)


def test_another_process_change_is_seen_after_the_ttl(app):
    app.config["READ_CACHE_SECONDS"] = 0.3
    with app.app_context():
        made = make_campaign()
        db.session.commit()
        now = IN_CAMPAIGN
        assert campaigns.current_campaign(now).is_open(now)
        db.session.commit()
        other = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
        with other.begin() as conn:
            conn.execute(
                text("UPDATE campaigns SET ends_at = :t WHERE id = :id"),
                {"t": now - timedelta(seconds=1), "id": made.id},
            )
        other.dispose()
        time.sleep(0.35)
        db.session.commit()
        assert not campaigns.current_campaign(now).is_open(now)
