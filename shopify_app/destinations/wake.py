"""Waking the delivery loop when rows arrive: LISTEN/NOTIFY on PostgreSQL, a short poll on SQLite.

Migration 0011 makes every insert into `deliveries` NOTIFY `sightline_deliveries` (at commit), so
an idle worker on PostgreSQL sends a purchase milliseconds after the webhook stored it. The wait
is still bounded (a second by default), which also brings back rows whose backoff ran out.
"""

from __future__ import annotations

import logging
import threading
import time

import psycopg

log = logging.getLogger(__name__)

CHANNEL = "sightline_deliveries"


POLL_SECONDS = 0.5
STOP_CHECK_SECONDS = 1.0


class PollWaker:
    """Polls every half second (or until stopped): SQLite, where there is no LISTEN."""

    def __init__(self, stop: threading.Event) -> None:
        self.stop = stop

    def listen(self) -> None:
        pass

    def wait(self, timeout: float) -> None:
        self.stop.wait(min(timeout, POLL_SECONDS))

    def close(self) -> None:
        pass


class ListenWaker:
    """Waits for a NOTIFY on CHANNEL (or the timeout); reconnects after a lost connection."""

    def __init__(self, database_url: str, stop: threading.Event) -> None:
        self.url = database_url
        self.stop = stop
        self._conn: psycopg.Connection | None = None

    def listen(self) -> None:
        """LISTEN before the first round, so no NOTIFY between that round and a wait is lost."""
        try:
            self._connection()
        except psycopg.Error as exc:
            log.warning("LISTEN %s failed (%s); polling until it works", CHANNEL, exc)

    def _connection(self) -> psycopg.Connection:
        if self._conn is None or self._conn.closed:
            self._conn = psycopg.connect(self.url, autocommit=True, connect_timeout=5)
            self._conn.execute(f"LISTEN {CHANNEL}")
        return self._conn

    def wait(self, timeout: float) -> None:
        # In slices, so a stop request ends the wait within one slice.
        deadline = time.monotonic() + timeout
        try:
            while not self.stop.is_set():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return
                slice_ = min(remaining, STOP_CHECK_SECONDS)
                if list(self._connection().notifies(timeout=slice_, stop_after=1)):
                    return
        except psycopg.Error as exc:
            log.warning("LISTEN %s failed (%s); polling instead", CHANNEL, exc)
            self.close()
            self.stop.wait(timeout)

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


def make_waker(database_url: str, stop: threading.Event) -> PollWaker | ListenWaker:
    if database_url.startswith(("postgresql://", "postgres://")):
        return ListenWaker(database_url, stop)
    return PollWaker(stop)
