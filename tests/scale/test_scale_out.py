"""Horizontal scale: two gunicorn masters (standing in for hosts) serve the same residents consistently.

Dialog state, WeChat's retries (dedup), rate limits and the access token live in the shared Redis; the
daily publication happens once however many job runners race for it.
"""

from __future__ import annotations

import concurrent.futures
import re

import psycopg
import requests

from bench.load.stack import flask
from tests.support import services

HEAD = re.compile(r"第(\d)/8题")


def register(cluster, openid: str) -> str:  # noqa: ANN001
    """Register by chat, every step on the other node than the one before."""
    steps = ["答题", "同意", "王芳", "北京", "13800138000", "海淀区某街道"]
    reply = ""
    for i, text in enumerate(steps):
        reply = cluster.chat(i % 2, openid).text(text)
    return reply


def query(cluster, sql: str, *params):  # noqa: ANN001, ANN002, ANN201
    name = cluster.env.database_url.rsplit("/", 1)[1]
    with psycopg.connect(services.PG_ADMIN_DSN.replace("dbname=postgres", f"dbname={name}")) as conn:
        return conn.execute(sql, params).fetchall()


def test_a_dialog_started_on_one_node_continues_on_the_other(cluster):  # noqa: ANN001
    openid = "o_scale_dialog_0001"
    a, b = cluster.chat(0, openid), cluster.chat(1, openid)
    assert "个人信息说明" in a.text("答题")
    assert "请输入您的姓名" in b.text("同意")
    assert "请选择您所在的地区" in a.text("王芳")
    assert "手机号" in b.text("北京")
    assert "工作单位" in a.text("13800138000")
    reply = b.text("海淀区某街道")
    assert "报名成功" in reply and HEAD.search(reply).group(1) == "1"
    assert HEAD.search(a.text("A")).group(1) == "2"  # the answer given on A moves the paper B started


def test_a_retry_on_the_other_node_gets_the_same_reply_and_is_processed_once(cluster):  # noqa: ANN001
    openid = "o_scale_retry_0001"
    register(cluster, openid)
    a, b = cluster.chat(0, openid), cluster.chat(1, openid)
    query_string, body = a.seal(a.build({"MsgType": "text", "Content": "A"}))
    first = a.post(query_string, body)
    retry = b.post(query_string, body)  # WeChat resends the same MsgId; the balancer picks the other node
    assert first.status == retry.status == 200 and first.text and retry.text == first.text
    assert HEAD.search(first.text).group(1) == "2"
    # Concurrent deliveries of one MsgId to both nodes at once: one reply, one answer stored.
    query_string, body = a.seal(a.build({"MsgType": "text", "Content": "B"}))
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        sends = [pool.submit(c.post, query_string, body) for c in (a, b, a, b)]
        texts = {f.result().text for f in sends}
    assert len(texts) == 1 and HEAD.search(texts.pop()).group(1) == "3"
    answered = query(
        cluster,
        "SELECT count(*) FROM paper_items i JOIN papers p ON p.id = i.paper_id "
        "JOIN participants u ON u.id = p.participant_id WHERE u.openid = %s AND i.given IS NOT NULL",
        openid,
    )
    assert answered == [(2,)]


def test_rate_limits_are_shared_between_nodes(cluster):  # noqa: ANN001
    openid = "o_scale_rate_0001"
    replies = [cluster.chat(i % 2, openid).text("查询 JB-2222-3333-44") for i in range(5)]
    assert all("没有找到" in r for r in replies)  # five wrong codes, alternating nodes
    assert "次数太多" in cluster.chat(0, openid).text("查询 JB-2222-3333-45")
    assert "次数太多" in cluster.chat(1, openid).text("查询 JB-2222-3333-46")


def test_one_access_token_fetch_across_processes(cluster):  # noqa: ANN001
    requests.post(cluster.emulator_url + "_emulator/reset", timeout=5)
    runners = [flask(cluster.env, cluster.log_dir, "wechat", "menu", name=f"menu{i}") for i in range(3)]
    for runner in runners:
        assert runner.popen.wait(120) == 0, runner.log()
        assert "menu created" in runner.log()
    state = requests.get(cluster.emulator_url + "_emulator/state", timeout=5).json()
    assert state["token_calls"] == 1


def test_two_job_runners_publish_each_day_exactly_once(cluster):  # noqa: ANN001
    runners = [
        flask(cluster.env, cluster.log_dir, "jobs", "run", "publish_due", name="pub") for _ in range(2)
    ]
    for runner in runners:  # two job runners racing for the same due days
        assert runner.popen.wait(120) == 0, runner.log()
    rows = query(
        cluster, "SELECT day, kind, count(*) FROM publications GROUP BY day, kind ORDER BY day, kind"
    )
    days = {day for day, _, _ in rows}
    assert 1 <= len(days) <= 2  # opened two days ago: one or two days are past their publication time
    assert len(rows) == 2 * len(days)  # a daily and a cumulative board per day
    assert all(count == 1 for _, _, count in rows)
