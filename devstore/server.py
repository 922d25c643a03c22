"""Serve a WSGI app on 127.0.0.1 in a background thread (devstore, or the app under test)."""

from __future__ import annotations

import socket
import threading
from types import TracebackType

from werkzeug.serving import BaseWSGIServer, make_server


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class BackgroundServer:
    """`with BackgroundServer(app) as server:` serves on `server.url` until the block ends."""

    def __init__(self, wsgi_app, port: int | None = None) -> None:  # type: ignore[no-untyped-def]
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._app = wsgi_app
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> BackgroundServer:
        self._server = make_server("127.0.0.1", self.port, self._app, threaded=True)
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), daemon=True
        )
        # A short poll interval: shutdown() waits for the loop to notice, once per test.
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> BackgroundServer:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
