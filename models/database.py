"""Database handle shared by every model, and opening one from a URL."""

from __future__ import annotations

import os
import time
from typing import Any
from urllib.parse import urlparse

from peewee import Database, DatabaseProxy, PostgresqlDatabase, SqliteDatabase
from playhouse.db_url import parse as parse_db_url
from playhouse.pool import PooledPostgresqlDatabase

from models import sqlite_functions

# Models bind to this proxy; `open_database` picks the real backend at start-up.
db = DatabaseProxy()

SQLITE_PRAGMAS = {"journal_mode": "wal", "foreign_keys": 1, "busy_timeout": 5000}
# One model definition for both backends: INET is TEXT on SQLite (JSON is TEXT there already).
SQLITE_FIELD_TYPES = {"INET": "TEXT"}


# A pooled connection returned this recently is reused on its local state, without a ping.
PING_IDLE_SECONDS = 1.0


class PingIdlePooledPostgresqlDatabase(PooledPostgresqlDatabase):
    """peewee's pool pings every connection it hands out (`SELECT 1`), holding the pool's lock:
    one round trip per request that also serialises every checkout in the process (it cost
    more than the storefront's INSERT under load). A connection that was back in the pool less
    than PING_IDLE_SECONDS ago is judged by its local state (closed, transaction status)
    instead; longer-idle ones are still pinged: after a database restart, those are the dead
    ones, and a dead busy one fails its next statement, which answers 503 and discards it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._returned_at: dict[int, float] = {}
        super().__init__(*args, **kwargs)

    def _close(self, conn: Any, close_conn: bool = False) -> None:
        if close_conn:
            self._returned_at.pop(id(conn), None)
        else:
            self._returned_at[id(conn)] = time.monotonic()
        super()._close(conn, close_conn)

    def _close_raw(self, conn: Any) -> None:
        self._returned_at.pop(id(conn), None)
        super()._close_raw(conn)

    def _is_closed(self, conn: Any) -> bool:
        returned = self._returned_at.get(id(conn))
        if returned is not None and time.monotonic() - returned < PING_IDLE_SECONDS:
            return bool(conn.closed) or not self._adapter.is_connection_reusable(conn)
        return bool(super()._is_closed(conn))


class DatabaseUrlError(ValueError):
    """DATABASE_URL cannot be understood."""


def open_database(url: str, *, pooled: bool = True) -> Database:
    """Build (without connecting) the database that `url` names: sqlite:/// or postgresql://."""
    scheme = urlparse(url).scheme
    if scheme == "sqlite":
        return _open_sqlite(url)
    if scheme in ("postgresql", "postgres"):
        return _open_postgresql(url, pooled=pooled)
    raise DatabaseUrlError(
        f"DATABASE_URL must start with sqlite:/// or postgresql:// (got scheme {scheme!r})"
    )


def _open_sqlite(url: str) -> SqliteDatabase:
    path = url[len("sqlite:///") :] if url.startswith("sqlite:///") else ""
    if not path:
        raise DatabaseUrlError("a SQLite DATABASE_URL looks like sqlite:///path/to/file.db")
    if path != ":memory:":
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    database = SqliteDatabase(
        path, pragmas=SQLITE_PRAGMAS, field_types=SQLITE_FIELD_TYPES, check_same_thread=False
    )
    sqlite_functions.register(database)
    return database


def _open_postgresql(url: str, *, pooled: bool) -> PostgresqlDatabase:
    try:
        params = parse_db_url(url)
    except ValueError as exc:
        raise DatabaseUrlError(f"DATABASE_URL is malformed: {exc}") from None
    if not params.get("database"):
        raise DatabaseUrlError(
            "a PostgreSQL DATABASE_URL names a database: postgresql://user@host/db"
        )
    params.setdefault("connect_timeout", 5)
    # No JIT: every statement here is short, and PostgreSQL compiles any plan costed above
    # jit_above_cost, which added 100-200 ms to reports that run in tens of ms
    # (bench/RESULTS.md). A URL's own ?options= wins.
    params.setdefault("options", "-c jit=off")
    if pooled:
        params.setdefault("max_connections", 16)
        params.setdefault("stale_timeout", 300)
        params.setdefault("timeout", 5)  # wait this long for a free connection, then fail
        return PingIdlePooledPostgresqlDatabase(**params)
    return PostgresqlDatabase(**params)


def is_postgresql(database: Database | DatabaseProxy) -> bool:
    real = database.obj if isinstance(database, DatabaseProxy) else database
    return isinstance(real, PostgresqlDatabase)
