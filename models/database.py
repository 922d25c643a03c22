"""Database handle shared by every model, and opening one from a URL."""

from __future__ import annotations

import os
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
    if pooled:
        params.setdefault("max_connections", 16)
        params.setdefault("stale_timeout", 300)
        params.setdefault("timeout", 5)  # wait this long for a free connection, then fail
        return PooledPostgresqlDatabase(**params)
    return PostgresqlDatabase(**params)


def is_postgresql(database: Database | DatabaseProxy) -> bool:
    real = database.obj if isinstance(database, DatabaseProxy) else database
    return isinstance(real, PostgresqlDatabase)
