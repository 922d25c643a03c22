"""Fixtures: `db`, `app` and `client` run each test on SQLite and on a real PostgreSQL."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from peewee import Database, PostgresqlDatabase
from playhouse.pool import PooledDatabase

from models import db as db_proxy
from models import open_database
from models.crypto import configure_cipher
from models.schema import HISTORY_TABLE, migrate
from shopify_app import create_app
from tests import pg

pytest_plugins = ["tests.live", "tests.browser"]

TEST_ENCRYPTION_KEY = "dGVzdC1vbmx5LWtleS1mb3Itc2lnaHRsaW5lLXRlc3Q="
TEST_API_KEY = "test-api-key-0123456789abcdef"
TEST_API_SECRET = "test-api-secret-that-is-long-enough-for-hs256"


@pytest.fixture(scope="session")
def pg_database_url() -> Iterator[str]:
    """One migrated PostgreSQL database for the whole run; tests empty it after themselves."""
    reason = pg.reachable()
    if reason:
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL is required under CI=true and unreachable: {reason}")
        pytest.skip(f"PostgreSQL unreachable: {reason}")
    name = pg.create_database()
    url = pg.url_for(name)
    database = open_database(url, pooled=False)
    with database.connection_context():
        migrate(database)
    yield url
    pg.drop_database(name)


def _empty_all_tables(url: str) -> None:
    database = open_database(url, pooled=False)
    with database.connection_context():
        tables = [t for t in database.get_tables() if t != HISTORY_TABLE]
        database.execute_sql(
            "TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"
        )


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """A migrated, empty database of each backend."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path}/sightline.db"
        database = open_database(url)
        with database.connection_context():
            migrate(database)
        yield url
        return
    url = request.getfixturevalue("pg_database_url")
    yield url
    _empty_all_tables(url)


def release(database: Database) -> None:
    """Close every connection the database holds (pooled ones too)."""
    if isinstance(database, PooledDatabase):
        database.close_all()
    elif not database.is_closed():
        database.close()


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    """The models' database, bound and connected, without an app."""
    configure_cipher(TEST_ENCRYPTION_KEY)
    database = open_database(database_url, pooled=False)
    db_proxy.initialize(database)
    database.connect()
    yield database
    release(database)


def app_config(database_url: str, **overrides: object) -> dict[str, object]:
    config: dict[str, object] = {
        "TESTING": True,
        "DATABASE_URL": database_url,
        "TOKEN_ENCRYPTION_KEY": TEST_ENCRYPTION_KEY,
        "SHOPIFY_API_KEY": TEST_API_KEY,
        "SHOPIFY_API_SECRET": TEST_API_SECRET,
        "SECRET_KEY": "test-secret-key",
        "APP_URL": "http://127.0.0.1:5000",
        "USING_DEV_CREDENTIALS": False,
        # Nothing listens on the discard port: credential checks answer "unreachable" at once
        # unless a test points this at devstore's fake Graph API (tests/live.py does).
        "META_GRAPH_URL": "http://127.0.0.1:9",
    }
    config.update(overrides)
    return config


@pytest.fixture
def app(database_url: str) -> Iterator[Flask]:
    application = create_app(app_config(database_url))
    yield application
    release(db_proxy.obj)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def is_postgresql(database: Database) -> bool:
    return isinstance(database, PostgresqlDatabase)
