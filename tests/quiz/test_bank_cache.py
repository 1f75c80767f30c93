"""The per-process copy of the parsed bank: one stamp query per transaction, and another process's change is
seen by the next transaction (the cache never serves a stale bank across a commit)."""

from __future__ import annotations

import json

from sqlalchemy import create_engine, event, text

from app import clock
from app.extensions import db
from app.services import bank
from tests.factories import load_bundled_bank


def _bank_statements(engine):  # noqa: ANN001, ANN202
    seen: list[str] = []

    def count(conn, cursor, statement, *args):  # noqa: ANN001, ANN002, ANN202
        if "bank_questions" in statement:
            seen.append(statement.split()[0])

    event.listen(engine, "before_cursor_execute", count)
    return seen, lambda: event.remove(engine, "before_cursor_execute", count)


def test_one_stamp_query_per_transaction_and_no_reload_when_unchanged(app):
    with app.app_context():
        added = load_bundled_bank()
        assert len(bank.all_questions()) == added
        db.session.commit()
        seen, stop = _bank_statements(db.engine)
        try:
            for _ in range(3):
                assert len(bank.all_questions()) == added
            for q in bank.all_questions()[:8]:
                assert bank.get_question(q.id) == q
        finally:
            stop()
        assert len(seen) == 1, seen  # the stamp only: the rows were not loaded or parsed again


def test_a_change_committed_by_another_process_is_seen_by_the_next_transaction(app):
    with app.app_context():
        load_bundled_bank()
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
        assert bank.get_question(first.id).stem.endswith("（修订后的题干）")


def test_retiring_takes_effect_inside_the_same_transaction(app):
    with app.app_context():
        load_bundled_bank()
        victim = bank.all_questions()[0]
        assert bank.retire(victim.id, clock.now())
        assert victim.id not in {q.id for q in bank.all_questions()}
        assert bank.get_question(victim.id) is not None  # still readable for papers that used it
        db.session.rollback()
        assert victim.id in {q.id for q in bank.all_questions()}
