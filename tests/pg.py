"""Test PostgreSQL databases: reachability, and scratch databases created and dropped per use."""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from urllib.parse import urlparse, urlunparse

import psycopg

# The server's maintenance database; test databases are created beside it.
PG_ADMIN_URL = os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def url_for(dbname: str) -> str:
    return urlunparse(urlparse(PG_ADMIN_URL)._replace(path=f"/{dbname}"))


def reachable() -> str | None:
    """None when the server answers, else the reason it does not."""
    try:
        with psycopg.connect(PG_ADMIN_URL, connect_timeout=3):
            return None
    except psycopg.Error as exc:
        return str(exc).strip().splitlines()[0]


def create_database(prefix: str = "sightline_test") -> str:
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return name


def drop_database(name: str) -> None:
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.contextmanager
def scratch_database() -> Iterator[str]:
    """An empty database for the duration of the block; yields its URL."""
    name = create_database("sightline_scratch")
    try:
        yield url_for(name)
    finally:
        drop_database(name)
