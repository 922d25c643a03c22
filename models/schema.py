"""Numbered migrations: apply them, and tell whether a database is behind."""

from __future__ import annotations

from pathlib import Path

from peewee import Database
from playhouse.migrations import Runner

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
HISTORY_TABLE = "schema_migrations"


class SchemaBehindError(RuntimeError):
    """The database is missing migrations this code needs."""


def _runner(database: Database) -> Runner:
    return Runner(database, str(MIGRATIONS_DIR), table_name=HISTORY_TABLE)


def migrate(database: Database, target: str | None = None) -> list[str]:
    """Apply pending migrations (up to `target`); returns the names applied. Idempotent."""
    return _runner(database).up(target)


def pending_migrations(database: Database) -> list[str]:
    return [m.name for m in _runner(database).status() if m.path and not m.applied]


def ensure_current(database: Database) -> None:
    """Raise SchemaBehindError unless every migration has been applied."""
    pending = pending_migrations(database)
    if pending:
        raise SchemaBehindError(
            f"the database schema is behind ({len(pending)} pending migration(s), "
            f"next: {pending[0]}); run `sightline migrate`"
        )
