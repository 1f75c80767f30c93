"""The naive baseline: the same features written the simplest way, as a first version often is.

Flask + wechatpy + plain SQL on the same PostgreSQL (its own naive_* tables, filled from the seeded
residents): dialog state in a database row, no dedup of WeChat's retries, no Redis at all, leaderboards
and ranks computed by SQL GROUP BY / COUNT on every request, and the tip e-mail sent inline over SMTP
before answering. Chat: 答题, answers, the eighth stores the paper, 排行榜; API: paper, submit,
leaderboard, my rank; tips.
"""

from __future__ import annotations

import json
import os
import smtplib
from email.message import EmailMessage

from flask import Flask, Response, jsonify, request
from sqlalchemy import create_engine, text
from wechatpy import create_reply, parse_message
from wechatpy.crypto import WeChatCrypto
from wechatpy.utils import check_signature

SCHEMA = """
CREATE TABLE IF NOT EXISTS naive_users (openid varchar(64) PRIMARY KEY, region varchar(8) NOT NULL,
  state varchar(16), step int DEFAULT 0, score int DEFAULT 0);
CREATE TABLE IF NOT EXISTS naive_papers (id serial PRIMARY KEY, openid varchar(64) NOT NULL,
  region varchar(8) NOT NULL, score int NOT NULL, answers text, created_at timestamptz DEFAULT now());
CREATE TABLE IF NOT EXISTS naive_tips (id serial PRIMARY KEY, body text NOT NULL, created_at timestamptz DEFAULT now());
INSERT INTO naive_users (openid, region)
  SELECT p.openid, t.code FROM participants p JOIN enrollments e ON e.participant_id = p.id
  JOIN teams t ON t.id = e.team_id ON CONFLICT DO NOTHING;
"""
BOARD = text(
    "SELECT region, sum(score) AS total FROM naive_papers GROUP BY region ORDER BY total DESC LIMIT 10"
)
RANK = text(
    "SELECT count(*) + 1 FROM (SELECT openid, sum(score) s FROM naive_papers GROUP BY openid) x "
    "WHERE x.s > (SELECT coalesce(sum(score), 0) FROM naive_papers WHERE openid = :o)"
)


def database_url() -> str:
    return os.environ["FANGFEI_DATABASE_URL"]


def create_schema(url: str | None = None) -> None:
    """Create the naive tables and copy in residents registered since (idempotent)."""
    engine = create_engine(url or database_url())
    with engine.begin() as conn:
        for statement in SCHEMA.split(";"):
            if statement.strip():
                conn.execute(text(statement))
    engine.dispose()


def create() -> Flask:
    app = Flask(__name__)
    engine = create_engine(database_url(), pool_size=5, max_overflow=5)
    token = os.environ["FANGFEI_WECHAT_TOKEN"]
    crypto = WeChatCrypto(token, os.environ["FANGFEI_WECHAT_AES_KEY"], os.environ["FANGFEI_WECHAT_APP_ID"])

    def questions(conn) -> list[dict]:  # noqa: ANN001
        rows = conn.execute(
            text("SELECT data FROM bank_questions WHERE status = 'active' ORDER BY random() LIMIT 8")
        )
        return [r[0] if isinstance(r[0], dict) else json.loads(r[0]) for r in rows]

    def board(conn) -> str:  # noqa: ANN001
        return "\n".join(f"{i}. {r.region} {r.total}" for i, r in enumerate(conn.execute(BOARD), 1))

    def send_mail(body: str) -> None:
        mail = EmailMessage()
        mail["From"], mail["To"], mail["Subject"] = "fangfei@localhost", "duty@office.example", "新举报"
        mail.set_content(body)
        host, port = (
            os.environ.get("FANGFEI_SMTP_HOST", "127.0.0.1"),
            int(os.environ.get("FANGFEI_SMTP_PORT", "25")),
        )
        with smtplib.SMTP(host, port, timeout=float(os.environ.get("FANGFEI_SMTP_TIMEOUT", "10"))) as smtp:
            smtp.send_message(mail)

    def file_tip(body: str) -> None:
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO naive_tips (body) VALUES (:b)"), {"b": body})
        try:
            send_mail(body)
        except (OSError, smtplib.SMTPException):
            app.logger.warning("tip e-mail failed")

    def chat(openid: str, content: str) -> str:
        with engine.begin() as conn:
            user = conn.execute(
                text("SELECT region, state, step, score FROM naive_users WHERE openid = :o FOR UPDATE"),
                {"o": openid},
            ).first()
            if user is None:
                return "请先报名。"
            if content == "答题":
                conn.execute(
                    text("UPDATE naive_users SET state = 'quiz', step = 0, score = 0 WHERE openid = :o"),
                    {"o": openid},
                )
                return "第1/8题 " + questions(conn)[0]["stem"]
            if content == "排行榜":
                return board(conn)
            if content.startswith("举报"):
                file_tip(content)
                return "举报已收到。"
            if user.state == "quiz":
                step, score = user.step + 1, user.score + 10
                if step >= 8:
                    conn.execute(
                        text("INSERT INTO naive_papers (openid, region, score) VALUES (:o, :r, :s)"),
                        {"o": openid, "r": user.region, "s": score},
                    )
                    conn.execute(text("UPDATE naive_users SET state = NULL WHERE openid = :o"), {"o": openid})
                    return f"答完了，得分{score}。\n" + board(conn)
                conn.execute(
                    text("UPDATE naive_users SET step = :t, score = :s WHERE openid = :o"),
                    {"t": step, "s": score, "o": openid},
                )
                return f"第{step + 1}/8题 " + questions(conn)[0]["stem"]
            return "欢迎关注！回复“答题”开始。"

    @app.get("/healthz")
    def healthz() -> str:
        return "ok"

    @app.post("/wechat")
    def wechat() -> Response:
        args = request.args
        check_signature(token, args["signature"], args["timestamp"], args["nonce"])
        xml = crypto.decrypt_message(
            request.get_data(), args["msg_signature"], args["timestamp"], args["nonce"]
        )
        msg = parse_message(xml)
        answer = chat(msg.source, getattr(msg, "content", "") or "")
        reply = create_reply(answer, msg)
        return Response(crypto.encrypt_message(reply.render(), args["nonce"]), mimetype="application/xml")

    def me() -> str:
        return request.headers["X-Naive-Openid"]

    @app.get("/api/v1/papers/today")
    def paper():  # noqa: ANN202
        with engine.begin() as conn:
            return jsonify(questions=questions(conn))

    @app.post("/api/v1/papers/<int:paper_id>/submit")
    def submit(paper_id: int):  # noqa: ANN202
        answers = (request.get_json(silent=True) or {}).get("answers", {})
        with engine.begin() as conn:
            region = conn.execute(
                text("SELECT region FROM naive_users WHERE openid = :o"), {"o": me()}
            ).scalar()
            conn.execute(
                text("INSERT INTO naive_papers (openid, region, score, answers) VALUES (:o, :r, :s, :a)"),
                {"o": me(), "r": region or "00", "s": 10 * len(answers), "a": json.dumps(answers)},
            )
        return jsonify(score=10 * len(answers))

    @app.get("/api/v1/leaderboard/teams")
    def teams():  # noqa: ANN202
        with engine.connect() as conn:
            return jsonify(teams=[dict(r._mapping) for r in conn.execute(BOARD)])

    @app.get("/api/v1/leaderboard/me")
    def my_rank():  # noqa: ANN202
        with engine.connect() as conn:
            return jsonify(rank=conn.execute(RANK, {"o": me()}).scalar())

    @app.post("/api/v1/tips")
    def tips():  # noqa: ANN202
        file_tip(json.dumps(request.get_json(silent=True) or {}, ensure_ascii=False))
        return jsonify(ok=True), 201

    return app
