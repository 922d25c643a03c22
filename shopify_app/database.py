"""Binds the models' database to the app: open at start-up, close after each request."""

from __future__ import annotations

from flask import Flask
from peewee import Database, DatabaseError, InterfaceError, OperationalError
from playhouse.pool import PooledDatabase

from models import Shop, db, open_database
from models.crypto import configure_cipher
from models.schema import ensure_current

DB_ERRORS = (OperationalError, InterfaceError, DatabaseError)


class DatabaseUnavailableError(RuntimeError):
    """The database cannot be reached at start-up."""


def init_app(app: Flask) -> Database:
    configure_cipher(app.config["TOKEN_ENCRYPTION_KEY"])
    database = open_database(app.config["DATABASE_URL"])
    db.initialize(database)
    try:
        with database.connection_context():
            ensure_current(database)
            _check_encryption_key()
    except DB_ERRORS as exc:
        raise DatabaseUnavailableError(
            f"cannot reach the database: {str(exc).strip().splitlines()[0]}"
        ) from None
    finally:
        # Gunicorn forks after start-up: no pooled connection may be shared with the workers.
        if isinstance(database, PooledDatabase):
            database.close_all()
    app.teardown_appcontext(_close_connection)
    return database


def _check_encryption_key() -> None:
    """Decrypt one stored token, so a wrong TOKEN_ENCRYPTION_KEY stops start-up, not a request."""
    Shop.select(Shop.access_token).where(Shop.access_token.is_null(False)).limit(1).scalar()


def _close_connection(exc: BaseException | None) -> None:
    # Peewee connects on first use; return the connection (to the pool) after every request.
    if not db.is_closed():
        db.close()


def ping() -> bool:
    """True when a trivial query succeeds."""
    try:
        db.execute_sql("SELECT 1")
        return True
    except DB_ERRORS:
        if not db.is_closed():
            db.close()
        return False
