"""Run WSGI apps (fangfei, the WeChat emulator, a webhook receiver) on real sockets in threads."""

from __future__ import annotations

import threading

from werkzeug.serving import BaseWSGIServer, make_server


class ServerThread:
    def __init__(self, app, host: str = "127.0.0.1", port: int = 0) -> None:  # noqa: ANN001
        self.server: BaseWSGIServer = make_server(host, port, app, threaded=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    def start(self) -> ServerThread:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
