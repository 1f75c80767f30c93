"""Settings classes (development, testing, production), every field documented and env-overridable."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet

PREFIX = "FANGFEI_"
ROOT = Path(__file__).resolve().parent.parent
DEV_SECRET_KEY = "fangfei-dev-secret-key-not-for-production"  # noqa: S105 (development only; production refuses it)
DEV_TOKEN = "fangfei-dev-token"  # noqa: S105
DEV_APP_ID = "wx0123456789abcdef"
DEV_APP_SECRET = "fangfei-dev-app-secret"  # noqa: S105
# WeChat's published sample EncodingAESKey: fine for development, never for production.
DEV_AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
# A Fernet key (urlsafe base64 of 32 bytes) for personal data at rest in development only.
DEV_DATA_KEY = "ZmFuZ2ZlaS1kZXYtZGF0YS1rZXktMzItYnl0ZXMhISE="
MESSAGE_MODES = ("plaintext", "compatible", "safe")
SMTP_SECURITY_MODES = ("starttls", "ssl", "none")
# Every network call ends before WeChat gives up on a callback (5 s); production refuses longer timeouts.
WECHAT_DEADLINE_S = 5
NETWORK_TIMEOUTS = ("HTTP_TIMEOUT", "DB_TIMEOUT", "REDIS_TIMEOUT", "SMTP_TIMEOUT")


class ConfigError(RuntimeError):
    """A setting is missing or invalid; the message names the environment variable."""


def _doc(text: str, *, secret: bool = False) -> dict[str, Any]:
    return {"doc": text, "secret": secret}


@dataclass(frozen=True)
class Settings:
    """Effective settings. Each field is overridable by FANGFEI_<NAME>."""

    ENV: str = field(default="development", metadata=_doc("Profile: development, testing or production."))
    SECRET_KEY: str = field(
        default=DEV_SECRET_KEY, metadata=_doc("Signs sessions and API tokens.", secret=True)
    )
    DATABASE_URL: str = field(
        default=f"sqlite:///{ROOT / 'instance' / 'fangfei.db'}",
        metadata=_doc("SQLAlchemy URL; sqlite:///... or postgresql+psycopg://... selects the engine."),
    )
    REDIS_URL: str = field(
        default="",
        metadata=_doc(
            "redis://host:port/db, or redis+sentinel://host:port,host:port/master/db; "
            "empty = no Redis (state lives in the database)."
        ),
    )
    REDIS_NAMESPACE: str = field(
        default="ff", metadata=_doc("Prefix of every Redis key (lets several deployments share one Redis).")
    )
    WECHAT_TOKEN: str = field(
        default=DEV_TOKEN, metadata=_doc("Token from the official account's server settings.", secret=True)
    )
    WECHAT_APP_ID: str = field(default=DEV_APP_ID, metadata=_doc("The official account's AppID."))
    WECHAT_APP_SECRET: str = field(
        default=DEV_APP_SECRET, metadata=_doc("AppSecret, used to fetch the access_token.", secret=True)
    )
    WECHAT_AES_KEY: str = field(
        default=DEV_AES_KEY,
        metadata=_doc("EncodingAESKey (43 characters) for AES message mode.", secret=True),
    )
    WECHAT_MINI_APP_ID: str = field(
        default="", metadata=_doc("Mini-program AppID for code2session login (empty = the account's AppID).")
    )
    WECHAT_MINI_APP_SECRET: str = field(
        default="", metadata=_doc("Mini-program AppSecret (empty = the account's AppSecret).", secret=True)
    )
    WECHAT_MSG_MODE: str = field(
        default="compatible",
        metadata=_doc("plaintext, compatible (accepts plaintext and AES) or safe (AES only)."),
    )
    WECHAT_API_BASE: str = field(
        default="http://127.0.0.1:5001/",
        metadata=_doc(
            "Base URL of WeChat's API: https://api.weixin.qq.com/ in production, the emulator in dev."
        ),
    )
    WECHAT_OPEN_BASE: str = field(
        default="http://127.0.0.1:5001/",
        metadata=_doc(
            "Base URL of WeChat's OAuth authorize page: https://open.weixin.qq.com/ in production."
        ),
    )
    WECHAT_TIMESTAMP_TOLERANCE: int = field(
        default=300, metadata=_doc("Seconds a callback timestamp may differ from now before it is a replay.")
    )
    DATA_KEY: str = field(
        default=DEV_DATA_KEY,
        metadata=_doc(
            "Fernet key(s) for personal data at rest; comma-separated, newest first, for rotation.",
            secret=True,
        ),
    )
    PUBLIC_BASE_URL: str = field(
        default="http://127.0.0.1:5000", metadata=_doc("Public https URL of this service, for links.")
    )
    HTTP_TIMEOUT: float = field(
        default=3.0, metadata=_doc("Seconds for outbound HTTP (WeChat API, webhooks); below WeChat's 5 s.")
    )
    DB_TIMEOUT: float = field(default=3.0, metadata=_doc("Seconds for database connect and statements."))
    REDIS_TIMEOUT: float = field(default=1.0, metadata=_doc("Seconds for Redis connect and commands."))
    DIALOG_TTL: int = field(
        default=1800, metadata=_doc("Seconds an idle chat dialog (and its draft) is kept.")
    )
    READ_CACHE_SECONDS: float = field(
        default=5.0,
        metadata=_doc(
            "Seconds a process reuses its copy of rarely changed rows (campaigns, the question bank) before "
            "checking the database again; a change made in the same process is seen at once. 0 = always check."
        ),
    )
    LOG_LEVEL: str = field(default="INFO", metadata=_doc("Python log level."))
    LOG_FORMAT: str = field(
        default="text", metadata=_doc("text, or json (one object per line with request id and MsgId).")
    )
    SHED_AFTER: float = field(
        default=3.0,
        metadata=_doc(
            "Seconds a request may wait in the proxy queue (X-Request-Start) before it is refused at once "
            "(WeChat gives up after 5 s); 0 = never shed."
        ),
    )
    SCHEDULER_INTERVAL_SCALE: float = field(
        default=1.0,
        metadata=_doc(
            "Multiplies the scheduler's interval job periods (0.01-10, at least 1 s); 0.02 for drills."
        ),
    )
    # Tips (举报线索): where new tips are announced, limits and retention ------------------------------
    TIP_EMAIL_TO: str = field(
        default="", metadata=_doc("Office e-mail addresses told about each new tip, comma-separated.")
    )
    SMTP_HOST: str = field(default="", metadata=_doc("SMTP server for tip e-mails; empty = no e-mail."))
    SMTP_PORT: int = field(default=587, metadata=_doc("SMTP port (587 starttls, 465 ssl, 25 none)."))
    SMTP_USER: str = field(default="", metadata=_doc("SMTP login; empty = no login."))
    SMTP_PASSWORD: str = field(default="", metadata=_doc("SMTP password.", secret=True))
    SMTP_SECURITY: str = field(
        default="starttls", metadata=_doc("starttls, ssl or none (none only for a local relay or tests).")
    )
    SMTP_TIMEOUT: float = field(
        default=4.0, metadata=_doc("Seconds for SMTP connect and each command; below WeChat's 5 s.")
    )
    SMTP_FROM: str = field(default="fangfei@localhost", metadata=_doc("Sender address of tip e-mails."))
    TIP_WEBHOOK_URLS: str = field(
        default="",
        metadata=_doc("URLs that get a signed JSON POST for each new tip, comma-separated."),
    )
    TIP_WEBHOOK_SECRET: str = field(
        default="",
        metadata=_doc(
            "HMAC-SHA256 key for X-Fangfei-Signature on webhooks; required with TIP_WEBHOOK_URLS.",
            secret=True,
        ),
    )
    TIP_WECOM_WEBHOOK_URL: str = field(
        default="",
        metadata=_doc("WeCom group-robot webhook URL (its key is a credential).", secret=True),
    )
    TIP_NOTIFY_FULL_CONTENT: int = field(
        default=0,
        metadata=_doc(
            "1 = notifications include what the tip says; 0 = receipt, category, time and link only. "
            "The tipster's identity is never sent."
        ),
    )
    TIP_DAILY_LIMIT_USER: int = field(default=5, metadata=_doc("Tips one WeChat user may send a day."))
    TIP_DAILY_LIMIT_IP: int = field(default=20, metadata=_doc("Tips one IP address may send a day (web)."))
    TIP_RETENTION_DAYS: int = field(
        default=730,
        metadata=_doc("Days a closed tip is kept before it is purged (anonymous statistics stay)."),
    )
    ANSWER_LIMIT_USER: int = field(
        default=30,
        metadata=_doc(
            "Quiz answer/submit requests one resident may make a minute (API and chat); more are slowed."
        ),
    )
    ANSWER_LIMIT_IP: int = field(
        default=600,
        metadata=_doc(
            "Quiz answer/submit API requests one IP address may make a minute (shared NATs need room)."
        ),
    )
    PRIVACY_PROCESSOR: str = field(
        default="本公众号运营单位：防范和处置非法集资工作办公室",
        metadata=_doc("Who processes residents' personal data (named in the privacy notices)."),
    )
    PRIVACY_CONTACT: str = field(
        default="在公众号回复“人工”或拨打办公室公布的举报电话",
        metadata=_doc("How residents reach the office about their personal data (privacy notices)."),
    )
    PERSONAL_DATA_RETENTION_DAYS: int = field(
        default=90,
        metadata=_doc(
            "Days after a campaign ends (and its final results are published) before residents' names, "
            "phones and work units are purged; anonymous scores stay."
        ),
    )
    MEDIA_DIR: str = field(
        default=str(ROOT / "instance" / "media"), metadata=_doc("Where evidence photos and files are stored.")
    )
    DASHBOARD_URL: str = field(
        default="http://127.0.0.1:5000/admin",
        metadata=_doc("Staff dashboard base URL; notifications link to <DASHBOARD_URL>/tips/<receipt>."),
    )

    def as_flask_config(self) -> dict[str, Any]:
        """Settings as Flask config keys (plus the Flask-SQLAlchemy ones)."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values["SQLALCHEMY_DATABASE_URI"] = self.DATABASE_URL
        values["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(self)
        values["TESTING"] = self.ENV == "testing"
        values["SESSION_COOKIE_HTTPONLY"] = True
        values["SESSION_COOKIE_SAMESITE"] = "Lax"
        values["SESSION_COOKIE_SECURE"] = self.ENV == "production"
        values["MAX_CONTENT_LENGTH"] = 20 * 1024 * 1024
        return values

    def masked(self) -> list[tuple[str, str, str]]:
        """(env var, value with secrets masked, doc) for every setting."""
        rows = []
        for f in fields(self):
            value = str(getattr(self, f.name))
            if f.metadata.get("secret") and value:
                value = value[:2] + "*" * 6
            elif f.name in ("DATABASE_URL", "REDIS_URL"):
                value = _mask_url_password(value)
            rows.append((PREFIX + f.name, value, f.metadata.get("doc", "")))
        return rows


def _mask_url_password(url: str) -> str:
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        creds, host = rest.rsplit("@", 1)
        user = creds.split(":", 1)[0]
        return f"{scheme}://{user}:******@{host}" if ":" in creds else url
    return url


def engine_options(settings: Settings) -> dict[str, Any]:
    """Pool and timeout options per engine: network calls end before WeChat's 5-second deadline."""
    if settings.DATABASE_URL.startswith("sqlite"):
        return {"connect_args": {"timeout": settings.DB_TIMEOUT}}
    timeout_ms = int(settings.DB_TIMEOUT * 1000)
    # No pre-ping: it costs a round trip on every checkout (every request). A connection that died with the
    # server fails its first statement (a clean 503 / polite chat reply) and SQLAlchemy then discards every
    # pooled connection of that generation (tests/reliability/test_postgres_fault.py).
    return {
        "pool_pre_ping": False,
        "pool_recycle": 3600,
        "pool_size": 5,
        "max_overflow": 5,
        "pool_timeout": settings.DB_TIMEOUT,
        "connect_args": {
            "connect_timeout": max(1, int(settings.DB_TIMEOUT)),
            "options": f"-c statement_timeout={timeout_ms}",
        },
    }


class DevelopmentConfig:
    """make run: SQLite under instance/, no Redis, the local WeChat emulator."""

    overrides: Mapping[str, Any] = {"ENV": "development"}


class TestingConfig:
    """The test suite: each test names its database and Redis explicitly."""

    overrides: Mapping[str, Any] = {"ENV": "testing", "LOG_LEVEL": "WARNING"}


class ProductionConfig:
    """Real WeChat: every secret must come from the environment."""

    overrides: Mapping[str, Any] = {
        "ENV": "production",
        "WECHAT_API_BASE": "https://api.weixin.qq.com/",
        "WECHAT_OPEN_BASE": "https://open.weixin.qq.com/",
        "WECHAT_MSG_MODE": "safe",
        "LOG_FORMAT": "json",
    }
    # Settings that must be set, and must not keep their development value.
    required_secrets = ("SECRET_KEY", "WECHAT_TOKEN", "WECHAT_APP_SECRET", "WECHAT_AES_KEY", "DATA_KEY")


PROFILES = {"development": DevelopmentConfig, "testing": TestingConfig, "production": ProductionConfig}


def _coerce(name: str, raw: str, kind: Any) -> Any:
    try:
        if kind in (int, "int"):
            return int(raw)
        if kind in (float, "float"):
            return float(raw)
    except ValueError:
        raise ConfigError(f"{PREFIX}{name} must be a number, got {raw!r}") from None
    return raw


def load_settings(
    profile: str | None = None, environ: Mapping[str, str] | None = None, **overrides: Any
) -> Settings:
    """Build settings: class defaults, then the profile, then FANGFEI_* variables, then overrides."""
    env = os.environ if environ is None else environ
    profile = profile or env.get(PREFIX + "ENV", "development")
    if profile not in PROFILES:
        raise ConfigError(f"{PREFIX}ENV must be one of {', '.join(PROFILES)}, got {profile!r}")
    settings = replace(Settings(), **PROFILES[profile].overrides)
    values: dict[str, Any] = {}
    for f in fields(Settings):
        if PREFIX + f.name in env:
            values[f.name] = _coerce(f.name, env[PREFIX + f.name], f.type)
    values.update(overrides)
    settings = replace(settings, **values)
    validate(settings, set(values))
    return settings


def _items(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def validate_tip_destinations(settings: Settings) -> None:
    """Where tip notices go must be usable, or tips would queue notices that can never be sent."""
    if settings.SMTP_SECURITY not in SMTP_SECURITY_MODES:
        raise ConfigError(f"{PREFIX}SMTP_SECURITY must be one of {', '.join(SMTP_SECURITY_MODES)}")
    emails = _items(settings.TIP_EMAIL_TO)
    if emails and not settings.SMTP_HOST:
        raise ConfigError(f"{PREFIX}SMTP_HOST must be set when {PREFIX}TIP_EMAIL_TO is set")
    for address in emails:
        if "@" not in address or len(address) > 200:
            raise ConfigError(f"{PREFIX}TIP_EMAIL_TO has an invalid address: {address!r}")
    hooks = _items(settings.TIP_WEBHOOK_URLS)
    for url in hooks:
        if not url.startswith(("https://", "http://")) or len(url) > 200:
            raise ConfigError(f"{PREFIX}TIP_WEBHOOK_URLS needs http(s) URLs of at most 200 characters")
    if hooks and not settings.TIP_WEBHOOK_SECRET:
        raise ConfigError(f"{PREFIX}TIP_WEBHOOK_SECRET must be set when {PREFIX}TIP_WEBHOOK_URLS is set")
    wecom = settings.TIP_WECOM_WEBHOOK_URL
    if wecom and not wecom.startswith(("https://", "http://")):
        raise ConfigError(f"{PREFIX}TIP_WECOM_WEBHOOK_URL must be an http(s) URL")


def validate_data_key(value: str) -> None:
    """Every listed key must be a Fernet key, or personal data fails at its first write instead of at start."""
    keys = _items(value)
    try:
        if not keys:
            raise ValueError("no key")
        for key in keys:
            Fernet(key.encode())
    except ValueError:
        raise ConfigError(
            f"{PREFIX}DATA_KEY must be Fernet keys (urlsafe base64 of 32 bytes), comma-separated"
        ) from None


def validate(settings: Settings, explicitly_set: set[str]) -> None:
    """Refuse settings that cannot work; production refuses development secrets."""
    if settings.WECHAT_MSG_MODE not in MESSAGE_MODES:
        raise ConfigError(f"{PREFIX}WECHAT_MSG_MODE must be one of {', '.join(MESSAGE_MODES)}")
    if settings.LOG_FORMAT not in ("text", "json"):
        raise ConfigError(f"{PREFIX}LOG_FORMAT must be text or json")
    if not 0.01 <= settings.SCHEDULER_INTERVAL_SCALE <= 10:
        raise ConfigError(f"{PREFIX}SCHEDULER_INTERVAL_SCALE must be between 0.01 and 10 (1 = as declared)")
    if settings.WECHAT_MSG_MODE != "plaintext" and len(settings.WECHAT_AES_KEY) != 43:
        raise ConfigError(f"{PREFIX}WECHAT_AES_KEY must be the 43-character EncodingAESKey")
    validate_tip_destinations(settings)
    validate_data_key(settings.DATA_KEY)
    if settings.ENV != "production":
        return
    defaults = Settings()
    for name in ProductionConfig.required_secrets:
        value = getattr(settings, name)
        if not value or name not in explicitly_set or value == getattr(defaults, name):
            raise ConfigError(
                f"{PREFIX}{name} must be set to a production value (it is missing or a development default)"
            )
    if settings.DATABASE_URL.startswith("sqlite"):
        raise ConfigError(f"{PREFIX}DATABASE_URL must point at PostgreSQL in production")
    for name in NETWORK_TIMEOUTS:
        if not 0 < getattr(settings, name) < WECHAT_DEADLINE_S:
            raise ConfigError(
                f"{PREFIX}{name} must be between 0 and {WECHAT_DEADLINE_S} seconds (WeChat's deadline)"
            )
    if not settings.WECHAT_APP_ID or settings.WECHAT_APP_ID == DEV_APP_ID:
        raise ConfigError(f"{PREFIX}WECHAT_APP_ID must be set to the official account's AppID")
