"""A page never scans millions of papers itself: an uncached aggregate is computed inline only if it fits the
inline budget (a PostgreSQL statement timeout); otherwise the overview says the job will have it shortly."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import text

from app.extensions import db
from app.services import dashboard_stats
from tests.admin.test_dashboard_pages import charts_of


def _slow(campaign):  # noqa: ANN001, ANN202
    return db.session.execute(text("SELECT pg_sleep(3)")).scalar()


def test_bounded_gives_up_within_the_budget_and_keeps_the_session_usable(app, played) -> None:  # noqa: ANN001
    with app.app_context():
        before = db.session.execute(text("SHOW statement_timeout")).scalar_one()
        started = time.perf_counter()
        assert dashboard_stats.bounded(_slow, played) is None
        assert time.perf_counter() - started < 1.5
        # The session goes on with its own timeout, and a fast aggregate is computed inline as before.
        assert db.session.execute(text("SHOW statement_timeout")).scalar_one() == before
        assert (
            sum(b["papers"] for b in dashboard_stats.bounded(dashboard_stats.score_distribution_sql, played))
            > 0
        )
        assert db.session.execute(text("SHOW statement_timeout")).scalar_one() == before


def test_overview_shows_pending_instead_of_waiting_when_the_cache_is_cold(
    app, played, staff_client, monkeypatch
) -> None:  # noqa: ANN001, E501
    client = staff_client("analyst")
    monkeypatch.setitem(dashboard_stats.CACHED, "accuracy_by_type", _slow)
    started = time.perf_counter()
    response = client.get("/admin/")
    elapsed = time.perf_counter() - started
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and elapsed < 2.0
    assert 'id="chart-accuracy-pending"' in page and 'id="chart-accuracy"' not in page
    assert charts_of(page)["accuracy"] is None
    assert 'id="chart-scores"' in page  # the small aggregate was computed inline (and cached)

    # Once one aggregate misses the budget the page does not spend a second budget on the next one.
    from app import redis_keys, runtime

    with app.app_context():
        runtime.store().delete(redis_keys.dashboard_stat(played.id, "score_distribution"))
    monkeypatch.setitem(dashboard_stats.CACHED, "score_distribution", _slow)
    monkeypatch.setitem(
        dashboard_stats.CACHED, "accuracy_by_type", lambda c: pytest.fail("second budget spent")
    )
    page = client.get("/admin/").get_data(as_text=True)
    assert 'id="chart-scores-pending"' in page and 'id="chart-accuracy-pending"' in page


def test_flagged_questions_page_says_pending_when_stats_do_not_fit_and_reads_the_job_cache(
    app, played, staff_client, monkeypatch
) -> None:  # noqa: ANN001
    from app import clock
    from app.jobs.dashboard import refresh_dashboard_stats
    from app.services import bank_admin

    real = bank_admin.question_stats
    monkeypatch.setattr(bank_admin, "question_stats", lambda ids=None: _slow(None) or {})
    client = staff_client("admin")
    started = time.perf_counter()
    page = client.get("/admin/bank/flagged").get_data(as_text=True)
    assert time.perf_counter() - started < 2.0
    assert 'id="stats-pending"' in page
    monkeypatch.setattr(bank_admin, "question_stats", real)
    with app.app_context():
        assert "question stats" in refresh_dashboard_stats(clock.now())
        db.session.commit()
    monkeypatch.setattr(bank_admin, "question_stats", lambda ids=None: _slow(None) or {})
    page = client.get("/admin/bank/flagged").get_data(as_text=True)
    assert 'id="stats-pending"' not in page and "<table>" in page  # served from the job's cache
