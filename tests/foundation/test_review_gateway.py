"""Review: a forged signature with non-ASCII characters is a 403, not a server error."""

from __future__ import annotations

import time


def test_non_ascii_signature_is_403_not_500(app):
    q = {"timestamp": str(int(time.time())), "nonce": "n1", "signature": "签名" * 20, "echostr": "x"}
    client = app.test_client()
    assert client.get("/wechat", query_string=q).status_code == 403
    assert client.post("/wechat", query_string=q, data=b"<xml/>").status_code == 403
