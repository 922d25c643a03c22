"""The storefront write path: one autocommit statement per group commit on PostgreSQL (events
and their Meta deliveries), duplicates stored once, and a pool that does not ping a connection
it got back a moment ago."""

from __future__ import annotations

import peewee
import psycopg
import pytest

from models import AppSettings, Delivery, Event, open_database
from models.database import PingIdlePooledPostgresqlDatabase
from shopify_app.ingest.writer import StorefrontBatch, write_storefront
from tests.conftest import is_postgresql, release
from tests.ingest.proxy_client import SHOP

SHARED = {"created_at": "2026-11-26 05:00:00.000000", "marketing_consent": True}


def storefront(*event_ids: str, meta: dict[str, str] | None = None) -> StorefrontBatch:
    events = [{"event_id": e, "event_name": "add_to_wishlist"} for e in event_ids]
    return StorefrontBatch(SHOP, SHARED, events, meta or {})


def test_duplicates_inside_one_group_and_across_groups_are_stored_once(db):
    first = storefront("evt_dupe_0001", "evt_dupe_0002")
    again = storefront("evt_dupe_0002", "evt_dupe_0003")
    write_storefront([first, again])  # both requests in one group commit
    assert write_storefront([storefront("evt_dupe_0001")]) == [0]
    assert sorted(e.event_id for e in Event.select()) == [
        "evt_dupe_0001",
        "evt_dupe_0002",
        "evt_dupe_0003",
    ]


def test_deliveries_only_for_new_events_of_shops_sending_to_meta(db):
    wishlist = {"evt_meta_0001": "AddToWishlist", "evt_meta_0002": "AddToWishlist"}
    write_storefront([storefront("evt_meta_0001", meta={"evt_meta_0001": "AddToWishlist"})])
    assert Delivery.select().count() == 0  # no pixel, nothing queued
    AppSettings.create(app_id=SHOP, pixel_id="1234567890", send_to_meta=True)
    write_storefront([storefront("evt_meta_0001", "evt_meta_0002", meta=wishlist)])
    deliveries = [(d.event.event_id, d.event_name, d.status, d.attempts) for d in Delivery.select()]
    assert deliveries == [("evt_meta_0002", "AddToWishlist", "pending", 0)]
    [delivery] = Delivery.select()
    assert delivery.next_attempt_at is not None and delivery.created_at is not None


def test_a_postgresql_write_is_committed_when_it_returns(db, database_url):
    if not is_postgresql(db):
        pytest.skip("SQLite writes in a transaction of its own (see writer._write_sqlite)")
    assert write_storefront([storefront("evt_commit_001")]) == [1]
    assert not db.in_transaction()
    with psycopg.connect(database_url) as other:
        count = other.execute(
            "SELECT count(*) FROM events WHERE event_id = 'evt_commit_001'"
        ).fetchone()
    assert count == (1,)


def _backend_pid(database) -> int:  # type: ignore[no-untyped-def]
    return database.execute_sql("SELECT pg_backend_pid()").fetchone()[0]


def test_the_pool_pings_only_connections_idle_for_a_while(database_url, monkeypatch):
    if not database_url.startswith("postgresql"):
        pytest.skip("the connection pool is PostgreSQL's")
    database = open_database(database_url)
    assert isinstance(database, PingIdlePooledPostgresqlDatabase)
    pings: list[int] = []
    adapter = database._adapter
    real_ping = adapter.is_connection_closed
    monkeypatch.setattr(
        adapter, "is_connection_closed", lambda conn: pings.append(1) or real_ping(conn)
    )
    try:
        database.connect()
        pid = _backend_pid(database)
        database.close()
        database.connect()  # back a moment ago: reused on its local state
        assert _backend_pid(database) == pid and pings == []
        database.close()

        # Idle for longer, and dead meanwhile (a restart, an administrator): pinged, discarded.
        monkeypatch.setattr("models.database.PING_IDLE_SECONDS", 0.0)
        with psycopg.connect(database_url, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        database.connect()
        assert pings == [1] and _backend_pid(database) != pid
        database.close()
    finally:
        release(database)


def test_a_write_on_a_dead_connection_fails_once_and_the_next_one_works(database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("a connection the server ends is PostgreSQL's")
    from models import db as db_proxy

    database = open_database(database_url)
    db_proxy.initialize(database)
    try:
        database.connect()
        pid = _backend_pid(database)
        with psycopg.connect(database_url, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        with pytest.raises(peewee.OperationalError, match="terminat"):
            write_storefront([storefront("evt_dead_00001")])
        database.close()  # what the group committer does after a failed commit
        assert write_storefront([storefront("evt_dead_00001")]) == [1]
    finally:
        release(database)
