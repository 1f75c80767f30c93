"""Receipt codes: unguessable, unambiguous codes for anonymous follow-up, and rate-limited look-ups."""

from __future__ import annotations

import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from app.errors import NotFound, RateLimited
from app.extensions import db
from app.models.tip import STATUS_LABELS, Tip
from app.services import rate_limits
from app.state_store import StateStore

# Receipt codes: JB-XXXX-XXXX-XX, 10 characters from 30 (no 0/O, 1/I/L, U): about 49 random bits.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
RECEIPT_CHARS = 10

# Wrong receipt codes allowed per hour before look-ups are refused (so codes cannot be guessed).
WRONG_CODE_WINDOW = 3600
WRONG_CODE_LIMIT_USER = 5
WRONG_CODE_LIMIT_IP = 20

WRONG_CODES = "查询错误次数太多，请一小时后再试。"
CODE_NOT_FOUND = "没有找到这个回执编号，请核对后再试。编号像这样：JB-7K4M-2QXR-9T"


@dataclass(frozen=True)
class TipStatus:
    """What a receipt look-up shows: status and the office's public reply, nothing else."""

    receipt: str
    status: str
    label: str
    reply: str | None
    submitted_at: datetime


_UNBIASED = 256 - 256 % len(ALPHABET)  # random bytes at or above this are dropped (no modulo bias)


def new_receipt() -> str:
    """A fresh code (uniqueness is left to the UNIQUE constraint: services.tip_filing)."""
    picked: list[str] = []
    while len(picked) < RECEIPT_CHARS:  # one urandom call, ~never two
        picked += [ALPHABET[b % len(ALPHABET)] for b in secrets.token_bytes(16) if b < _UNBIASED]
    chars = "".join(picked[:RECEIPT_CHARS])
    return f"JB-{chars[:4]}-{chars[4:8]}-{chars[8:]}"


def normalize_receipt(text: str) -> str | None:
    """JB-7K4M-2QXR-9T from what a person typed ("jb 7k4m2qxr9t", full-width, ...), or None."""
    raw = re.sub(r"[^0-9A-Za-z]", "", unicodedata.normalize("NFKC", text or "")).upper()
    if len(raw) == RECEIPT_CHARS + 2 and raw.startswith("JB"):
        raw = raw[2:]
    if len(raw) != RECEIPT_CHARS or any(c not in ALPHABET for c in raw):
        return None
    return f"JB-{raw[:4]}-{raw[4:8]}-{raw[8:]}"


# Look-ups -----------------------------------------------------------------------------------------
def _code_subjects(openid: str | None, ip: str | None) -> list[tuple[str, str, int]]:
    subjects = []
    if openid:
        subjects.append(("tip-code-user", openid, WRONG_CODE_LIMIT_USER))
    if ip:
        subjects.append(("tip-code-ip", ip, WRONG_CODE_LIMIT_IP))
    return subjects


def look_up(code: str, *, openid: str | None, ip: str | None, store: StateStore) -> TipStatus:
    """Status and public reply for a receipt code. Wrong codes count per user and per IP; past the limit
    every look-up is refused for the hour (right codes too, or the limit would still leak)."""
    subjects = _code_subjects(openid, ip)
    for bucket, subject, limit in subjects:
        if rate_limits.peek_exceeded(store, bucket, subject, limit, WRONG_CODE_WINDOW):
            raise RateLimited(WRONG_CODES)
    receipt = normalize_receipt(code)
    tip = db.session.scalar(select(Tip).where(Tip.receipt == receipt)) if receipt else None
    if tip is None:
        over = False
        for bucket, subject, limit in subjects:
            try:
                rate_limits.hit(store, bucket, subject, limit, WRONG_CODE_WINDOW, WRONG_CODES)
            except RateLimited:
                over = True
        raise RateLimited(WRONG_CODES) if over else NotFound(CODE_NOT_FOUND, code="receipt_not_found")
    return TipStatus(
        receipt=tip.receipt,
        status=tip.status,
        label=STATUS_LABELS[tip.status],
        reply=tip.public_reply,
        submitted_at=tip.created_at,
    )
