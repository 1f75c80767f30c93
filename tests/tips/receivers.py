"""The office's side, for real: an SMTP server (aiosmtpd) and an HTTP receiver for webhooks and WeCom.

Both record every raw delivery and index them by idempotency key (Message-ID for mail, the Idempotency-Key
header for webhooks), the way a receiver that discards duplicates would.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import ipaddress
import logging
import socket
import ssl
import threading
import time
from collections import Counter
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from flask import Flask, jsonify, request

from tests.support.servers import ServerThread

logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per request is noise here


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# SMTP --------------------------------------------------------------------------------------------
class MailBox:
    """aiosmtpd handler: keeps every message it accepted."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: ANN001, ANN201, N802
        msg = message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.messages.append(msg)
        return "250 Message accepted"

    def ids(self) -> Counter:
        with self.lock:
            return Counter(m["Message-ID"] for m in self.messages)


class SmtpServer:
    """A local SMTP server that can go down and come back on the same port."""

    def __init__(self, **controller_kwargs) -> None:  # noqa: ANN003
        self.port = free_port()
        self.box = MailBox()
        self.kwargs = controller_kwargs
        self.controller: Controller | None = None

    def start(self) -> SmtpServer:
        self.controller = Controller(self.box, hostname="127.0.0.1", port=self.port, **self.kwargs)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


def accept_login(server, session, envelope, mechanism, auth_data) -> AuthResult:  # noqa: ANN001
    ok = auth_data.login == b"office" and auth_data.password == b"s3cret"
    return AuthResult(success=ok)


class Blackhole:
    """Accepts TCP connections and never says a word: a server that hangs."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(50)
        self.port = self.sock.getsockname()[1]

    def close(self) -> None:
        self.sock.close()


def make_tls_files(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (it is its own CA): (cert.pem, key.pem)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_path, key_path


def server_tls_context(cert: Path, key: Path) -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    return ctx


# HTTP receiver -----------------------------------------------------------------------------------
class Receiver:
    """A webhook endpoint (/hook, HMAC-checked) and a WeCom robot (/wecom) on a real socket.

    mode: "ok", or "500" (answers 500 and keeps nothing). `hold_at`: the n-th accepted webhook request
    signals `held` and waits (up to 10 s) for `release` before answering - the moment a test kills the
    sender, after the receiver has the message but before the sender has marked it sent.
    """

    def __init__(self, secret: str) -> None:
        self.secret = secret
        self.mode = "ok"
        self.raw: list[str] = []  # idempotency keys of every accepted request, duplicates included
        self.bodies: dict[str, dict] = {}
        self.headers: dict[str, dict] = {}
        self.wecom: list[dict] = []
        self.refused = 0
        self.bad_signatures = 0
        self.hold_at: int | None = None
        self.held, self.release = threading.Event(), threading.Event()
        self.lock = threading.Lock()
        self.server = ServerThread(self._app()).start()

    @property
    def url(self) -> str:
        return self.server.url

    def unique(self) -> set[str]:
        with self.lock:
            return set(self.raw)

    def duplicates(self) -> int:
        with self.lock:
            return len(self.raw) - len(set(self.raw))

    def stop(self) -> None:
        self.release.set()
        self.server.stop()

    def _app(self) -> Flask:
        app = Flask("office_receiver")

        @app.post("/hook")
        def hook():  # noqa: ANN202
            if self.mode == "500":
                with self.lock:
                    self.refused += 1
                return "internal error", 500
            body = request.get_data()
            ts = request.headers.get("X-Fangfei-Timestamp", "")
            expected = (
                "sha256="
                + hmac.new(self.secret.encode(), ts.encode() + b"." + body, hashlib.sha256).hexdigest()
            )
            if not hmac.compare_digest(expected, request.headers.get("X-Fangfei-Signature", "")):
                with self.lock:
                    self.bad_signatures += 1
                return "bad signature", 401
            key = request.headers["Idempotency-Key"]
            with self.lock:
                duplicate = key in self.bodies
                self.raw.append(key)
                self.bodies.setdefault(key, request.get_json())
                self.headers.setdefault(key, dict(request.headers))
                count = len(self.raw)
            if self.hold_at is not None and count == self.hold_at:
                self.held.set()
                self.release.wait(10)
            return jsonify(ok=True, duplicate=duplicate)

        @app.post("/wecom")
        def wecom():  # noqa: ANN202
            if self.mode == "500":
                with self.lock:
                    self.refused += 1
                return "internal error", 500
            with self.lock:
                self.wecom.append(request.get_json())
            return jsonify(errcode=0, errmsg="ok")

        return app


def wait_for(predicate, timeout: float = 10.0) -> bool:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return False
