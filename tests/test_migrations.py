"""Numbered migrations: from empty, from the previous version, idempotent, and enforced."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from decimal import Decimal

import pytest
from peewee import Database
from playhouse.schema_diff import _model_indexes, diff_models

from models import ALL_MODELS, AppSettings, CustomEvent, Event, Shop, db, open_database
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
        if backend == "postgresql":  # events is partitioned there: compared below
            diff = diff_models(database, [m for m in ALL_MODELS if m is not Event])
            assert not diff, f"models and migrations disagree:\n{diff}"
            assert_partitioned_events_match_the_model(database)
            return
        diff = diff_models(database, ALL_MODELS)
        assert not diff, f"models and migrations disagree:\n{diff}"


def assert_partitioned_events_match_the_model(database: Database) -> None:
    """PostgreSQL: `events` has the model's columns and plain indexes; its unique ones are
    replaced by event_keys' key (a partitioned table's unique index needs created_at)."""
    columns = {c.name for c in database.get_columns("events")}
    assert columns == {f.column_name for f in Event._meta.sorted_fields}
    rows = database.execute_sql(
        "SELECT ix.indisprimary, ix.indisunique, ARRAY(SELECT a.attname FROM "
        "unnest(ix.indkey) WITH ORDINALITY AS k(n, o) JOIN pg_attribute a "
        "ON a.attrelid = ix.indrelid AND a.attnum = k.n ORDER BY k.o) "
        "FROM pg_index ix WHERE ix.indrelid = 'events'::regclass"
    ).fetchall()
    primary = [tuple(cols) for is_primary, _, cols in rows if is_primary]
    indexes = {(tuple(cols), unique) for is_primary, unique, cols in rows if not is_primary}
    plain, named = _model_indexes(Event)
    assert primary == [("id", "created_at")]
    assert indexes == {(cols, unique) for cols, unique in plain if not unique}
    assert {cols for cols, unique in plain if unique} == {("app_id", "event_id")}
    assert named == {"events_purchase_order"}  # order:<id> keys keep one purchase per order
    assert database.get_primary_keys("event_keys") == ["app_id", "event_id"]


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
        assert (event.event_name, event.custom_data, event.source) == (
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


def _populate_at_0008(database: Database) -> None:
    """Rows as the landed code wrote them before the seed's names (migration head 0008)."""
    now = "'2026-11-01 10:00:00'"
    database.execute_sql(
        "INSERT INTO custom_events (app_id, name, display_name, page_type, page_url, event_type, "
        "selector, event_data, is_active, created_at, updated_at) VALUES "
        f"('acme.myshopify.com', 'wishlist', 'Wishlist', 'custom', '/pages/*', 'click', "
        f"'.wish', '{{\"list\": \"a\"}}', true, {now}, {now})"
    )
    database.execute_sql(
        "INSERT INTO events (app_id, event_name, event_data, page_url, ip_address, value, "
        "currency, created_at, event_id, source) VALUES "
        f"('acme.myshopify.com', 'wishlist', '{{\"sku\": \"A\"}}', "
        f"'https://acme.myshopify.com/p', '2001:db8::1', 12.50, 'EUR', {now}, 'evt_1', "
        "'storefront')"
    )
    for shop, tracking, page_views in (("acme", "false", "true"), ("zeta", "true", "false")):
        database.execute_sql(
            "INSERT INTO app_settings (app_id, pixel_id, tracking_enabled, track_page_views, "
            f"send_to_meta, record_location, created_at, updated_at) VALUES "
            f"('{shop}.myshopify.com', '1234567', {tracking}, {page_views}, true, false, {now}, "
            f"{now})"
        )
    database.execute_sql(
        "INSERT INTO shops (domain, state, scopes, token_version, config_version, created_at, "
        f"updated_at) VALUES ('acme.myshopify.com', 'installed', '', 0, 3, {now}, {now})"
    )


@BACKENDS
def test_upgrade_to_the_seed_names_keeps_every_row(backend, tmp_path):
    with empty_database(backend, tmp_path) as (_, database):
        migrate(database, "0008_shop_config_version")
        _populate_at_0008(database)
        migrate(database)
        db.initialize(database)
        event = Event.get()
        assert (event.url, event.custom_data, str(event.ip_address), event.value) == (
            "https://acme.myshopify.com/p",
            {"sku": "A"},
            "2001:db8::1",
            Decimal("12.50"),
        )
        custom = CustomEvent.get()
        assert (custom.page_url, custom.event_data) == ("/pages/*", {"list": "a"})
        toggles = {
            s.app_id: (s.custom_events_enabled, s.track_pageviews, s.track_clicks, s.send_to_meta)
            for s in AppSettings.select()
        }
        assert toggles == {
            "acme.myshopify.com": (False, False, False, True),  # tracking was off: all three off
            "zeta.myshopify.com": (True, False, True, True),
        }
        # The tracker reads the new toggle names: every installed shop's config is rewritten.
        assert Shop.get().config_sync_pending_since is not None


@BACKENDS
def test_a_plain_sql_insert_gets_the_seeds_defaults(backend, tmp_path):
    with empty_database(backend, tmp_path) as (_, database):
        migrate(database)
        database.execute_sql(
            "INSERT INTO custom_events (app_id, name, display_name) "
            "VALUES ('acme.myshopify.com', 'wishlist', 'Wishlist')"
        )
        database.execute_sql("INSERT INTO app_settings (app_id) VALUES ('acme.myshopify.com')")
        database.execute_sql(
            "INSERT INTO events (app_id, event_name) VALUES ('acme.myshopify.com', 'x')"
        )
        db.initialize(database)
        custom = CustomEvent.get()
        assert (custom.is_active, custom.page_type, custom.event_type) == (True, "all", "click")
        assert custom.created_at is not None and custom.event_data == {}
        settings = AppSettings.get()
        assert (
            settings.custom_events_enabled,
            settings.track_pageviews,
            settings.track_clicks,
            settings.record_location,
            settings.send_to_meta,
        ) == (True, True, True, True, False)
        event = Event.get()
        assert (event.source, event.custom_data) == ("storefront", {})
        assert event.created_at is not None


def test_the_seeds_columns_have_the_seeds_types_on_postgresql(tmp_path):
    with empty_database("postgresql", tmp_path) as (_, database):
        migrate(database)
        rows = database.execute_sql(
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_name = 'events' AND column_name IN "
            "('ip_address', 'custom_data', 'value', 'url', 'created_at')"
        ).fetchall()
        assert dict(rows) == {
            "ip_address": "inet",
            "custom_data": "jsonb",
            "value": "numeric",
            "url": "text",
            "created_at": "timestamp without time zone",
        }


@BACKENDS
def test_upgrade_moves_webhook_purchases_to_server_ids_and_leaves_client_ids(backend, tmp_path):
    with empty_database(backend, tmp_path) as (_, database):
        migrate(database, "0009_seed_contract_names")
        insert = (
            "INSERT INTO events (app_id, event_name, event_id, source, order_id) "
            "VALUES ('acme.myshopify.com', %s, %s, %s, %s)"
        ).replace("%s", database.param)
        for row in (
            ("purchase", "order-9", "webhook", "9"),
            ("page_view", "order-10", "storefront", None),  # a shopper's id: left alone
        ):
            database.execute_sql(insert, row)
        migrate(database)
        db.initialize(database)
        assert sorted((e.event_name, e.event_id) for e in Event.select()) == [
            ("page_view", "order-10"),
            ("purchase", "order:9"),
        ]
