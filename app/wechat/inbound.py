"""Verify, decrypt and safely parse WeChat callbacks (plaintext, compatible and safe modes)."""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from dataclasses import dataclass
from functools import cached_property
from typing import Any
from xml.etree.ElementTree import ParseError  # noqa: S405 (only the exception type)

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidAppIdException, InvalidSignatureException

MAX_BODY = 64 * 1024
_FORBIDDEN = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.I)


class Rejected(Exception):
    """The request is not a valid WeChat callback; `status` is the HTTP status to answer."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


@dataclass(frozen=True)
class GatewayConfig:
    token: str
    app_id: str
    aes_key: str
    mode: str  # plaintext, compatible, safe
    tolerance: int = 300

    @cached_property
    def crypto(self) -> WeChatCrypto:  # built once per configuration (it decodes the AES key)
        return WeChatCrypto(self.token, self.aes_key, self.app_id)


def sign(*parts: str) -> str:
    """WeChat's signature: sha1 of the sorted parts joined."""
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()  # noqa: S324 (WeChat's scheme)


def check_signature(cfg: GatewayConfig, args: dict[str, str]) -> None:
    """Check `signature` over token, timestamp, nonce, and the timestamp's freshness (replays)."""
    timestamp, nonce, signature = args.get("timestamp", ""), args.get("nonce", ""), args.get("signature", "")
    if not (timestamp and nonce and signature):
        raise Rejected(403, "missing signature parameters")
    if not hmac.compare_digest(sign(cfg.token, timestamp, nonce).encode(), signature.encode()):
        raise Rejected(403, "bad signature")
    check_fresh(cfg, timestamp)


def check_fresh(cfg: GatewayConfig, timestamp: str) -> None:
    try:
        ts = int(timestamp)
    except ValueError:
        raise Rejected(403, "bad timestamp") from None
    if abs(time.time() - ts) > cfg.tolerance:
        raise Rejected(403, "stale timestamp (replay?)")


def parse_xml(body: bytes) -> dict[str, str]:
    """Flat dict of the root's child elements; refuses DOCTYPE/entities, bad UTF-8 and malformed XML."""
    if len(body) > MAX_BODY:
        raise Rejected(413, "body too large")
    if _FORBIDDEN.search(body):
        raise Rejected(400, "DOCTYPE or entity declarations are not allowed")
    try:
        body.decode("utf-8")
        root = fromstring(body, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (UnicodeDecodeError, ParseError, DefusedXmlException, ValueError) as exc:
        raise Rejected(400, f"malformed XML: {type(exc).__name__}") from None
    if root.tag != "xml":
        raise Rejected(400, "root element must be <xml>")
    fields: dict[str, str] = {}
    for child in root:
        if len(child):  # nested elements (e.g. SendLocationInfo): flatten one level
            for sub in child:
                fields[sub.tag] = (sub.text or "").strip()
        else:
            fields[child.tag] = child.text or ""
    return fields


def read_callback(cfg: GatewayConfig, args: dict[str, str], body: bytes) -> tuple[dict[str, Any], bool]:
    """Verify and open a POSTed callback. Returns (message fields, reply_encrypted)."""
    if len(body) > MAX_BODY:
        raise Rejected(413, "body too large")
    encrypted = args.get("encrypt_type", "raw").lower() == "aes"
    if encrypted and cfg.mode == "plaintext":
        raise Rejected(403, "AES message received but the account is in plaintext mode")
    if not encrypted and cfg.mode == "safe":
        raise Rejected(403, "plaintext message received but the account is in safe mode")
    if not encrypted or args.get("signature"):
        check_signature(cfg, args)
    envelope = parse_xml(body)
    if not encrypted:
        return envelope, False
    timestamp, nonce = args.get("timestamp", ""), args.get("nonce", "")
    msg_signature = args.get("msg_signature", "")
    if not (msg_signature and timestamp and nonce and envelope.get("Encrypt")):
        raise Rejected(403, "missing msg_signature or Encrypt")
    check_fresh(cfg, timestamp)
    try:
        plain = cfg.crypto.decrypt_message({"Encrypt": envelope["Encrypt"]}, msg_signature, timestamp, nonce)
    except InvalidSignatureException:
        raise Rejected(403, "bad msg_signature") from None
    except InvalidAppIdException:
        raise Rejected(403, "message for another AppID") from None
    except Exception:  # corrupted ciphertext or padding
        raise Rejected(400, "cannot decrypt") from None
    return parse_xml(plain.encode() if isinstance(plain, str) else plain), True


def echo(cfg: GatewayConfig, args: dict[str, str]) -> str:
    """The GET handshake: verify and return echostr."""
    check_signature(cfg, args)
    return args.get("echostr", "")
