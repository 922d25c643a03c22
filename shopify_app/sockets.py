"""Listening sockets bound before a server starts.

A server that is handed a socket it already holds never races another process for its port:
binding port 0 and reading the port back gives a port that is ours, and a port that is taken
fails here, at once, with the reason (`ServerStartError`), instead of in a retry loop or a
`sys.exit` deep inside a server library."""

from __future__ import annotations

import os
import socket


class ServerStartError(RuntimeError):
    """A server could not listen where it was asked to."""


def listening_socket(host: str = "127.0.0.1", port: int = 0) -> socket.socket:
    """A TCP socket bound to host:port and listening; port 0 lets the kernel choose."""
    try:
        return socket.create_server((host, port), backlog=128)
    except OSError as exc:
        reason = os.strerror(exc.errno) if exc.errno else str(exc)
        raise ServerStartError(f"cannot listen on {host}:{port}: {reason}") from None


def bound_port(sock: socket.socket) -> int:
    return int(sock.getsockname()[1])
