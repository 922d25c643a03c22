"""Serve a WSGI app on 127.0.0.1 in a background thread (devstore, or the app under test).

The listening socket is bound first (port 0 by default: the kernel picks) and held for the
server's whole life, so the port a caller reads is a port it owns. Picking a "free" number,
closing it and binding it again later lets another process take it in between; on a busy
machine that happened, and werkzeug answered with `sys.exit(1)`. Here a port that cannot be
bound raises `ServerStartError`, a plain exception with the reason.

Servers are created before the apps they serve, because the apps need each other's URLs:
`BackgroundServer()` binds, `server.url` is known at once, `server.start(app)` serves.
"""

from __future__ import annotations

import select
import socket
import struct
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import Any

from werkzeug.serving import BaseWSGIServer, make_server

from shopify_app.sockets import ServerStartError, listening_socket

HOST = "127.0.0.1"
__all__ = ["BackgroundServer", "ServerStartError", "refused_port"]


@contextmanager
def refused_port() -> Iterator[int]:
    """A loopback port that refuses connections, held until the block ends.

    The socket is bound but never listens: connecting gets ECONNREFUSED, and no other process
    can take the port (and start answering) while a test relies on it being dead."""
    sock = socket.socket()
    try:
        sock.bind((HOST, 0))
        yield sock.getsockname()[1]
    finally:
        sock.close()


class BackgroundServer:
    """`with BackgroundServer(app) as server:` serves on `server.url` until the block ends."""

    def __init__(self, wsgi_app: Any = None, port: int = 0) -> None:
        self._socket: socket.socket | None = listening_socket(HOST, port)
        self.port: int = self._socket.getsockname()[1]
        self.url = f"http://{HOST}:{self.port}"
        self.app = wsgi_app
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None
        self._down: tuple[threading.Event, threading.Thread] | None = None

    def start(self, wsgi_app: Any = None) -> BackgroundServer:
        """Serve `wsgi_app` (or the app given at construction) on the held socket."""
        if self._socket is None:
            raise ServerStartError(f"{self.url} was closed; create a new server")
        if self._server is not None:
            return self
        self._end_outage()
        self.app = wsgi_app or self.app
        if self.app is None:
            raise ServerStartError("no WSGI app to serve")
        # werkzeug uses a duplicate of our descriptor: the port stays ours when it closes it.
        self._server = make_server(
            HOST, self.port, self.app, threaded=True, fd=self._socket.fileno()
        )
        # A short poll interval: shutdown() waits for the loop to notice, once per test.
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), daemon=True
        )
        self._thread.start()
        return self

    def go_down(self) -> None:
        """Stop answering as a crashed app would (every connection reset), keeping the port so
        that `start()` can bring the same URL back."""
        self._stop_serving()
        if self._socket is None or self._down is not None:
            return
        done = threading.Event()
        thread = threading.Thread(target=_reset_connections, args=(self._socket, done), daemon=True)
        thread.start()
        self._down = (done, thread)

    def stop(self) -> None:
        """Stop serving and release the port."""
        self._stop_serving()
        self._end_outage()
        if self._socket is not None:
            self._socket.close()
            self._socket = None

    def _stop_serving(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def _end_outage(self) -> None:
        if self._down is not None:
            done, thread = self._down
            done.set()
            thread.join()  # no connection is reset once the real server is back
            self._down = None

    def __enter__(self) -> BackgroundServer:
        # Without an app yet, the block holds the port and calls start(app) once it has one.
        return self.start() if self.app is not None else self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def _reset_connections(sock: socket.socket, done: threading.Event) -> None:
    """Accept and reset every connection (SO_LINGER 0 sends RST) until `done` is set."""
    while not done.is_set():
        readable, _, _ = select.select([sock], [], [], 0.05)
        if not readable or done.is_set():
            continue
        try:
            conn, _ = sock.accept()
        except OSError:
            return
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        conn.close()
