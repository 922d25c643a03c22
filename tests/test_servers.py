"""Test servers hold the port they report, from before the app exists until they stop.

The old helper bound port 0, closed it and returned the number; on a busy machine another
process took the port in between and werkzeug called sys.exit(1) inside a fixture."""

from __future__ import annotations

import errno
import socket
import time

import pytest
import requests
from flask import Flask

from devstore.server import BackgroundServer, ServerStartError, refused_port
from shopify_app.sockets import listening_socket


def hello_app() -> Flask:
    app = Flask("hello")
    app.get("/")(lambda: "hello")
    return app


def bind_error(port: int) -> int:
    """The errno another socket gets binding `port` (0 when the bind succeeds)."""
    with socket.socket() as other:
        other.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            other.bind(("127.0.0.1", port))
        except OSError as exc:
            return exc.errno or -1
    return 0


def test_the_reported_port_is_held_before_and_while_serving():
    server = BackgroundServer()
    try:
        # Known before the app exists (apps are configured with each other's URLs) and held.
        assert server.url == f"http://127.0.0.1:{server.port}" and server.port > 0
        assert bind_error(server.port) == errno.EADDRINUSE
        server.start(hello_app())
        assert requests.get(server.url, timeout=5).text == "hello"
        assert bind_error(server.port) == errno.EADDRINUSE
    finally:
        server.stop()
    # Released once stopped: the listening socket at once, the last served connection as soon
    # as its handler thread closes it (werkzeug's handlers are daemon threads, not joined).
    deadline = time.monotonic() + 5
    while bind_error(server.port) != 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert bind_error(server.port) == 0


def test_a_taken_port_is_a_clear_error_never_system_exit():
    with listening_socket() as taken:
        port = taken.getsockname()[1]
        with pytest.raises(ServerStartError, match=f"cannot listen on 127.0.0.1:{port}"):
            BackgroundServer(hello_app(), port)


def test_going_down_resets_connections_and_keeps_the_port_for_coming_back():
    with BackgroundServer(hello_app()) as server:
        server.go_down()
        with pytest.raises(requests.ConnectionError):
            requests.get(server.url, timeout=5)
        assert bind_error(server.port) == errno.EADDRINUSE
        server.start()
        assert requests.get(server.url, timeout=5).text == "hello"


def test_a_refused_port_refuses_and_cannot_be_taken_meanwhile():
    with refused_port() as port:
        with pytest.raises(requests.ConnectionError):
            requests.get(f"http://127.0.0.1:{port}/", timeout=5)
        assert bind_error(port) == errno.EADDRINUSE
