"""Write transactions that take the write lock up front."""

from __future__ import annotations

from peewee import _atomic

from models import db
from models.database import is_postgresql


def write_transaction() -> _atomic:
    """`db.atomic()`, but on SQLite `BEGIN IMMEDIATE`.

    A deferred SQLite transaction that reads and then writes cannot wait for the write lock: if
    another writer committed since its first read, it fails at once with "database is locked".
    Taking the lock at BEGIN makes it wait (busy_timeout) like any other writer.
    """
    return db.atomic() if is_postgresql(db) else db.atomic("IMMEDIATE")
