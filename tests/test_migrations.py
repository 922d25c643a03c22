"""Numbered migrations: from empty, from the previous version, idempotent, and enforced."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import pytest
from peewee import Database
from playhouse.schema_diff import diff_models

from models import ALL_MODELS, CustomEvent, Event, db, open_database
from models.schema import MIGRATIONS_DIR, SchemaBehindError, migrate, pending_migrations
from shopify_app import create_app
from tests import pg
from tests.conftest import app_config


@contextlib.contextmanager
def empty_database(backend: str, tmp_path) -> Iterator[tuple[str, Database]]:  # type: ignore[no-untyped-def]
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path}/empty.db"
        database = open_database(url, pooled=False)
        with database.connection_context():
            yield url, database
        return
    if pg.reachable():
        pytest.skip("PostgreSQL unreachable")
    with pg.scratch_database() as url:
        database = open_database(url, pooled=False)
        try:
            with database.connection_context():
                yield url, database
        finally:
            database.close()


BACKENDS = pytest.mark.parametrize("backend", ["sqlite", "postgresql"])


@BACKENDS
def test_migrating_an_empty_database_matches_the_models(backend, tmp_path):
    with empty_database(backend, tmp_path) as (_, database):
        every_migration = sorted(p.stem for p in MIGRATIONS_DIR.glob("[0-9]*.py"))
        assert migrate(database) == every_migration
        db.initialize(database)
        diff = diff_models(database, ALL_MODELS)
        assert not diff, f"models and migrations disagree:\n{diff}"


@BACKENDS
def test_migrate_twice_applies_nothing_the_second_time(backend, tmp_path):
    with empty_database(backend, tmp_path) as (_, database):
        migrate(database)
        assert migrate(database) == []
        assert pending_migrations(database) == []


@BACKENDS
def test_upgrade_from_the_seed_schema_keeps_existing_rows(backend, tmp_path):
    with empty_database(backend, tmp_path) as (_, database):
        migrate(database, "0001_seed_tables")
        database.execute_sql(
            "INSERT INTO custom_events (app_id, name, display_name, page_type, event_type, "
            "event_data, is_active, created_at, updated_at) VALUES "
            "('acme.myshopify.com', 'wishlist', 'Wishlist', 'product', 'click', '{}', true, "
            "'2026-01-01 00:00:00', '2026-01-01 00:00:00')"
        )
        database.execute_sql(
            "INSERT INTO events (app_id, event_name, event_data, created_at) VALUES "
            "('acme.myshopify.com', 'wishlist', '{\"sku\": \"A\"}', '2026-01-01 00:00:00')"
        )
        migrate(database)
        db.initialize(database)
        event = Event.get()
        assert (event.event_name, event.event_data, event.source) == (
            "wishlist",
            {"sku": "A"},
            "storefront",
        )
        assert event.event_id is None
        assert CustomEvent.get().display_name == "Wishlist"


@BACKENDS
def test_app_refuses_a_database_whose_schema_is_behind(backend, tmp_path):
    with empty_database(backend, tmp_path) as (url, database):
        migrate(database, "0001_seed_tables")
        with pytest.raises(SchemaBehindError, match="sightline migrate"):
            create_app(app_config(url))
