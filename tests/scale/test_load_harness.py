"""The load generator's requests are real: the floor and fangfei (under gunicorn) accept every one, each
resident's quiz runs through to a stored paper, and no message is seen twice."""

from __future__ import annotations

import shutil

import pytest

from bench.load import gen, seed, wrk
from bench.load.stack import APP_ID, start_node
from tests.scale.test_scale_out import query


@pytest.fixture
def keys(cluster):  # noqa: ANN001, ANN201
    if shutil.which("wrk") is None:
        pytest.fail(wrk.MISSING)  # never a skip: `make test` runs where `make bench` can install it
    return {"token": cluster.env.token, "app_id": APP_ID, "aes_key": cluster.env.aes_key}


def test_a_missing_wrk_is_reported_with_how_to_install_it(monkeypatch, tmp_path):  # noqa: ANN001
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty directory: no wrk anywhere
    with pytest.raises(SystemExit, match="apt-get install wrk"):
        wrk.require()
    with pytest.raises(SystemExit, match="not installed"):
        wrk.run("http://127.0.0.1:9", tmp_path / "none.txt", connections=1, seconds=1)


def test_generated_quiz_traffic_is_accepted_and_completes_papers(cluster, keys, tmp_path):  # noqa: ANN001
    from app import create_app
    from config import load_settings

    app = create_app(load_settings("production", environ=cluster.env.environ()))
    openids = seed.register(app, "scalegen", 6)
    file = tmp_path / "chat.txt"
    count = gen.write(gen.quiz_chat(keys, openids), file)
    assert count == 6 * 11
    before = wrk.metrics(cluster.nodes[0].url)
    runs = []
    for _ in range(8):  # until every resident's paper is in; a rerun replays answered messages (dedup hits)
        runs.append(wrk.run(cluster.nodes[0].url, file, connections=2, seconds=5))
        if papers_submitted(cluster, openids) == 6:
            break
    after = wrk.metrics(cluster.nodes[0].url)
    assert all(r.errors == 0 and r.p99_ms > 0 for r in runs)
    outcomes = wrk.metric_delta(before, after, "fangfei_wechat_callbacks_total")
    assert outcomes.get("fangfei_wechat_callbacks_total{outcome=replied,type=text}", 0) == 6 * 10
    assert papers_submitted(cluster, openids) == 6


def papers_submitted(cluster, openids: list[str]) -> int:  # noqa: ANN001
    return query(
        cluster,
        "SELECT count(*) FROM papers p JOIN participants u ON u.id = p.participant_id "
        "WHERE u.openid = ANY(%s) AND p.status = 'submitted'",
        openids,
    )[0][0]


def test_the_floor_accepts_the_same_encrypted_messages(cluster, keys, tmp_path):  # noqa: ANN001
    floor = start_node(cluster.env, cluster.log_dir, name="floor", app="bench.load.floor_app:app", workers=1)
    try:
        file = tmp_path / "echo.txt"
        gen.write(gen.echo_chat(keys, [f"o_floor_{i}" for i in range(20)], 5), file)
        run = wrk.run(floor.url, file, connections=4, seconds=2)
        assert run.errors == 0 and run.requests > 0
    finally:
        floor.stop()


def test_seeded_api_users_can_submit_their_papers(cluster):  # noqa: ANN001
    from app import create_app
    from config import load_settings

    app = create_app(load_settings("production", environ=cluster.env.environ()))
    users = seed.issue_papers(app, seed.register(app, "scaleapi", 3))
    import requests

    for u in users:
        headers = {"Authorization": f"Bearer {u.token}", "X-Forwarded-For": u.ip}
        res = requests.post(
            f"{cluster.nodes[1].url}/api/v1/papers/{u.paper_id}/submit",
            json={"answers": u.answers},
            headers=headers,
            timeout=10,
        )
        assert res.status_code == 200, res.text
        assert res.json()["score"] >= 0
