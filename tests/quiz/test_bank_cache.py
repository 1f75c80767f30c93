"""The per-process copy of the parsed bank: checked against the stored rows at most every READ_CACHE_SECONDS,
a change in this process is seen at once, another process's change within the TTL, and nothing uncommitted
is ever shared with other requests."""

from __future__ import annotations

import json
import threading
import time

from sqlalchemy import create_engine, text

from app import clock
from app.extensions import db
from app.services import bank
from tests.factories import load_bundled_bank
from tests.support.statements import recorded


def test_no_query_within_the_ttl_even_across_transactions(app):
    with app.app_context():
        added = load_bundled_bank()
        db.session.commit()
        assert len(bank.all_questions()) == added
        db.session.commit()
        with recorded(db.engine, lambda statement: "bank_questions" in statement) as seen:
            for _ in range(3):
                assert len(bank.all_questions()) == added
                for q in bank.all_questions()[:8]:
                    assert bank.get_question(q.id) == q
                db.session.commit()
        assert seen == []  # three transactions, no bank query: the process's copy was reused


def test_a_change_committed_by_another_process_is_seen_after_the_ttl(app):
    app.config["READ_CACHE_SECONDS"] = 0.3
    with app.app_context():
        load_bundled_bank()
        db.session.commit()
        first = bank.all_questions()[0]
        assert bank.get_question(first.id).stem == first.stem
        db.session.commit()
        # Another process edits the stem directly in the database (same updated_at: the size stamp catches it).
        other = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
        data = {**first.to_dict(), "stem": first.stem + "（修订后的题干）"}
        with other.begin() as conn:
            conn.execute(
                text("UPDATE bank_questions SET data = :d WHERE id = :id"),
                {"d": json.dumps(data), "id": first.id},
            )
        other.dispose()
        time.sleep(0.35)
        assert bank.get_question(first.id).stem.endswith("（修订后的题干）")


def test_retiring_is_seen_in_its_transaction_shared_only_after_commit(app):
    with app.app_context():
        load_bundled_bank()
        db.session.commit()
        victim = bank.all_questions()[0]
        db.session.commit()
        assert bank.retire(victim.id, clock.now())
        assert victim.id not in {q.id for q in bank.all_questions()}
        assert bank.get_question(victim.id) is not None  # still readable for papers that used it

        def other_request() -> set[str]:
            with app.app_context():
                try:
                    return {q.id for q in bank.all_questions()}
                finally:
                    db.session.remove()

        seen: list[set[str]] = []
        worker = threading.Thread(target=lambda: seen.append(other_request()))
        worker.start()
        worker.join(10)
        assert victim.id in seen[0]  # the retirement is not committed: another request must not see it
        db.session.rollback()
        assert victim.id in {q.id for q in bank.all_questions()}
        assert bank.retire(victim.id, clock.now())
        db.session.commit()
        seen.clear()
        worker = threading.Thread(target=lambda: seen.append(other_request()))
        worker.start()
        worker.join(10)
        assert victim.id not in seen[0]  # committed in this process: seen at once, no TTL wait
