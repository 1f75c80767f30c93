"""Encryption at rest for personal data (names, phones, openids of tipsters): Fernet with key rotation.

FANGFEI_DATA_KEY holds one or more Fernet keys, comma-separated, newest first. New values are encrypted with
the newest key; any listed key decrypts. To rotate: prepend a new key, run `flask data rotate-keys` (rewrites
stored values with the newest key), then drop the old key.
"""

from __future__ import annotations

import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app


def _keys() -> list[str]:
    return [k.strip() for k in current_app.config["DATA_KEY"].split(",") if k.strip()]


def _fernet() -> MultiFernet:
    return MultiFernet([Fernet(k.encode()) for k in _keys()])


def encrypt(value: str | None) -> str | None:
    if value is None or value == "":
        return None
    return _fernet().encrypt(value.encode()).decode()


def decrypt(token: str | None) -> str | None:
    if not token:
        return None
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        return None


def rotate(token: str | None) -> str | None:
    """Re-encrypt a stored value with the newest key."""
    return _fernet().rotate(token.encode()).decode() if token else token


def _index_under(key: str, value: str) -> str:
    digest_key = hashlib.sha256(("blind-index:" + key).encode()).digest()
    return hmac.new(digest_key, value.encode(), hashlib.sha256).hexdigest()[:32]


def blind_index(value: str) -> str:
    """A keyed hash for exact-match lookups of an encrypted value (e.g. a phone), without decrypting."""
    return _index_under(_keys()[-1], value)


def blind_indexes(value: str) -> list[str]:
    """The value's blind index under every configured key: a lookup that still finds rows indexed before a
    key rotation (`column IN blind_indexes(v)`)."""
    return [_index_under(key, value) for key in _keys()]


def mask_phone(phone: str | None) -> str:
    """138****1234."""
    if not phone or len(phone) < 7:
        return ""
    return phone[:3] + "****" + phone[-4:]


def mask_name(name: str | None) -> str:
    """张*三 / 张* for public lists."""
    if not name:
        return ""
    if len(name) == 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]
