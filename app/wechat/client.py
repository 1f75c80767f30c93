"""WeChat API client: wechatpy's client on a configurable base URL, with one shared access_token.

The token lives in the state store (Redis, or the database without Redis). A refresh happens under a lock
so that N processes needing a token at once make one call to WeChat; the others wait for the cached value.
"""

from __future__ import annotations

import logging
import time

import requests
from wechatpy import WeChatClient
from wechatpy.exceptions import WeChatClientException

from app import redis_keys
from app.state_store import StateStore, wait_acquire

log = logging.getLogger(__name__)


class TokenUnavailable(RuntimeError):
    """WeChat did not hand out an access_token (after retries)."""


class TokenProvider:
    def __init__(
        self,
        store: StateStore,
        app_id: str,
        secret: str,
        api_base: str,
        timeout: float = 3.0,
        attempts: int = 3,
    ) -> None:
        self.store, self.app_id, self.secret = store, app_id, secret
        self.token_url = api_base.rstrip("/") + "/cgi-bin/token"
        self.timeout, self.attempts = timeout, attempts
        self.http = requests.Session()
        # Keys are fixed at construction (inside the app context), so worker threads share them.
        self.key = redis_keys.access_token(app_id)
        self.lock_key = redis_keys.access_token_lock(app_id)

    def get(self, stale: str | None = None) -> str:
        """A valid token. Pass `stale` (a token WeChat rejected) to force a refresh past it."""
        key = self.key
        cached = self.store.get(key)
        if cached and cached != stale:
            return cached
        lock_key = self.lock_key
        token = wait_acquire(self.store, lock_key, wait_s=self.timeout * self.attempts + 1)
        if token is None:
            raise TokenUnavailable("timed out waiting for another process's token refresh")
        try:
            cached = self.store.get(key)  # someone may have refreshed while we waited
            if cached and cached != stale:
                return cached
            value, expires_in = self._fetch()
            self.store.set(key, value, ttl=max(60, expires_in - 300))
            return value
        finally:
            self.store.release(lock_key, token)

    def _fetch(self) -> tuple[str, int]:
        params = {"grant_type": "client_credential", "appid": self.app_id, "secret": self.secret}
        last_error = "no attempt"
        for attempt in range(self.attempts):
            try:
                res = self.http.get(self.token_url, params=params, timeout=self.timeout)
                data = res.json() if res.status_code == 200 else {}
                if data.get("access_token"):
                    log.info("fetched a new WeChat access_token")
                    return data["access_token"], int(data.get("expires_in", 7200))
                last_error = f"HTTP {res.status_code} errcode={data.get('errcode')}"
            except (requests.RequestException, ValueError) as exc:
                last_error = type(exc).__name__
            time.sleep(0.2 * (2**attempt))
        raise TokenUnavailable(f"access_token refresh failed: {last_error}")


class WeChatApi(WeChatClient):
    """wechatpy's WeChatClient, pointed at `api_base`, taking tokens from the shared provider."""

    def __init__(self, provider: TokenProvider, api_base: str, timeout: float = 3.0) -> None:
        super().__init__(provider.app_id, provider.secret, timeout=timeout, auto_retry=True)
        self.API_BASE_URL = api_base.rstrip("/") + "/cgi-bin/"
        self.provider = provider
        self._refreshes = 0

    @property
    def access_token(self) -> str:
        token = self.provider.get()
        self.session.set(self.access_token_key, token)
        return token

    def fetch_access_token(self) -> dict[str, str]:
        """Called by wechatpy when WeChat says the token is invalid: refresh once, past the stale one."""
        self._refreshes += 1
        if self._refreshes > 2:
            self._refreshes = 0
            raise WeChatClientException(40001, "access_token still rejected after refresh", client=self)
        stale = self.session.get(self.access_token_key)
        token = self.provider.get(stale=stale)
        self.session.set(self.access_token_key, token)
        return {"access_token": token}

    # wechatpy's retry after a token refresh re-enters _request; a fresh call starts via get/post.
    def get(self, url, **kwargs):  # noqa: ANN001, ANN201
        self._refreshes = 0
        return super().get(url, **kwargs)

    def post(self, url, **kwargs):  # noqa: ANN001, ANN201
        self._refreshes = 0
        return super().post(url, **kwargs)
