"""schemathesis against /api/v1/openapi.json served on a real socket, as a logged-in, registered
resident during an open campaign: every documented operation, generated and edge-case inputs, no 5xx."""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from app import clock
from app.extensions import db
from app.web.api.auth import issue_token
from tests.factories import load_bundled_bank, make_campaign, make_participant
from tests.quiz.conftest import EVENING

EXAMPLES = int(os.environ.get("FANGFEI_SCHEMATHESIS_EXAMPLES", "12"))
TOKEN: dict[str, str] = {}


@pytest.fixture
def api(app, live_server):
    """The app's own OpenAPI document over HTTP, and a registered resident's bearer token."""
    with app.app_context():
        load_bundled_bank()
        campaign = make_campaign()
        clock.freeze(EVENING)
        make_participant(campaign, openid="o_schemathesis")
        token = issue_token("o_schemathesis")
        db.session.remove()
    yield schemathesis.openapi.from_url(f"{live_server}/api/v1/openapi.json"), token
    clock.freeze(None)


def test_no_server_errors(api):
    """Every documented operation with EXAMPLES generated cases each (positive and negative)."""
    schema, token = api
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20  # the whole API, not a part that happened to load
    calls: dict[str, int] = {}

    for operation in operations:

        @settings(
            max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None
        )
        @given(case=operation.as_strategy())
        def run(case) -> None:  # noqa: ANN001
            response = case.call(headers={"Authorization": f"Bearer {token}"}, timeout=10)
            key = f"{case.method} {case.path}"
            calls[key] = calls.get(key, 0) + 1
            assert response.status_code < 500, (key, case.path_parameters, case.body, response.text[:300])
            case.validate_response(response, checks=[not_a_server_error])

        run()
    print(f"\nschemathesis: {sum(calls.values())} calls over {len(calls)} operations, no 5xx")
    assert len(calls) == len(operations)
