"""PostgreSQL: events partitioned by month (migration 0019), converted in place or prepared,
partitions kept ahead, and the writers' keys."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from peewee import Database

from models import Delivery, Event, db, open_database, partitions
from models import event_conversion as conversion
from models.schema import migrate
from shopify_app.ingest.writer import NewEvent, write_events
from tests import pg
from tests.test_cli import assert_one_line_error, run_cli

SHOP = "acme.myshopify.com"
NOW = dt.datetime(2026, 11, 26, 9, 30)
# A very old order (before any other month), two months of data, and a date far ahead.
DATES = ["2019-05-02 10:00:00", "2026-09-30 23:59:59", "2026-10-01 00:00:00", "2027-08-01 08:00"]


@pytest.fixture
def scratch(monkeypatch) -> Iterator[Database]:  # type: ignore[no-untyped-def]
    if pg.reachable():
        pytest.skip("PostgreSQL unreachable")
    monkeypatch.setattr("models.base.utcnow", lambda: NOW)  # the migration's clock
    with pg.scratch_database() as url:
        database = open_database(url, pooled=False)
        with database.connection_context():
            db.initialize(database)
            yield database
        database.close()


def populate_at_0018(database: Database) -> list[int]:
    """Events (with ids, one a purchase, one without an id) and their deliveries, as 0018
    left them; returns the events' ids."""
    migrate(database, "0018_reconciliation_days")
    ids = []
    for i, at in enumerate(DATES):
        name, event_id, order = (
            ("purchase", "order:5", "5") if i == 1 else ("page_view", None, None)
        )
        event_id = event_id or (f"evt-{i}" if i != 2 else None)
        (pk,) = database.execute_sql(
            "INSERT INTO events (app_id, event_name, event_id, order_id, created_at, custom_data) "
            "VALUES (%s, %s, %s, %s, %s, %s) RETURNING id",
            (SHOP, name, event_id, order, at, f'{{"n": {i}}}'),
        ).fetchone()
        ids.append(pk)
    for pk in ids[:2]:
        database.execute_sql(
            "INSERT INTO deliveries (app_id, event_id, destination, event_name, status, attempts, "
            "next_attempt_at, created_at, updated_at) VALUES (%s, %s, 'meta', 'Purchase', "
            "'pending', 0, now(), now(), now())",
            (SHOP, pk),
        )
    return ids


def where_rows_are(database: Database) -> dict[int, str]:
    rows = database.execute_sql("SELECT id, tableoid::regclass::text FROM events").fetchall()
    return dict(rows)


def assert_converted(database: Database, ids: list[int]) -> None:
    assert partitions.is_partitioned(database)
    events = {e.id: e for e in Event.select()}
    assert sorted(events) == ids
    assert [events[pk].custom_data for pk in ids] == [{"n": i} for i in range(len(ids))]
    assert [d.event_id for d in Delivery.select().order_by(Delivery.id)] == ids[:2]
    keys = database.execute_sql(
        "SELECT app_id, event_id, id FROM event_keys ORDER BY id"
    ).fetchall()
    assert keys == [(SHOP, "evt-0", ids[0]), (SHOP, "order:5", ids[1]), (SHOP, "evt-3", ids[3])]
    # No foreign key left between deliveries and events.
    assert database.get_foreign_keys("deliveries") == []
    # Writers: a stored id stays a duplicate, the order keeps one purchase, new ids continue.
    assert write_events(SHOP, [NewEvent("evt-0", "page_view")]) == []
    assert write_events(SHOP, [NewEvent("order:5", "purchase", {"order_id": "5"})]) == []
    assert write_events(SHOP, [NewEvent("evt-new", "page_view")]) == ["evt-new"]
    assert Event.get(Event.event_id == "evt-new").id > max(ids)


def test_a_populated_table_is_converted_in_place(scratch):
    ids = populate_at_0018(scratch)
    assert migrate(scratch)[0] == "0019_events_partitioned"
    assert_converted(scratch, ids)
    placed = where_rows_are(scratch)
    assert [placed[pk] for pk in ids] == [
        "events_2019_05",
        "events_2026_09",
        "events_2026_10",
        "events_default",  # beyond the months made ahead
    ]
    months = {p.name for p in partitions.partitions(scratch)}
    assert {"events_2026_11", "events_2026_12", "events_2027_01"} <= months  # now + 2 ahead
    assert migrate(scratch) == []  # idempotent


def test_a_table_above_the_limit_needs_preparing_then_switches(scratch, monkeypatch):
    ids = populate_at_0018(scratch)
    monkeypatch.setattr(conversion, "IN_PLACE_MAX_ROWS", 3)
    with pytest.raises(conversion.ConversionError, match="sightline partition-events"):
        migrate(scratch)
    assert not partitions.is_partitioned(scratch)  # the migration's transaction rolled back
    # Prepared while the app serves; an event written after the preparation gets its key at
    # the switch.
    scratch.execute_sql("DELETE FROM events WHERE created_at > '2027-01-01'")
    ids.pop()
    conversion.prepare(scratch, NOW, echo=lambda _line: None)
    (late,) = scratch.execute_sql(
        "INSERT INTO events (app_id, event_name, event_id, created_at, custom_data) "
        "VALUES (%s, 'page_view', 'evt-3', now(), '{\"n\": 3}') RETURNING id",
        (SHOP,),
    ).fetchone()
    ids.append(late)
    assert migrate(scratch)[0] == "0019_events_partitioned"
    assert_converted(scratch, ids)
    assert set(where_rows_are(scratch).values()) == {"events_legacy"}
    legacy = next(p for p in partitions.partitions(scratch) if p.name == "events_legacy")
    assert (legacy.lo, legacy.hi) == (None, dt.datetime(2027, 1, 1))
    # Months begin at the boundary; the prepared table's helpers are gone.
    assert "events_2027_01" in {p.name for p in partitions.partitions(scratch)}
    assert not conversion.is_prepared(scratch)


def test_preparing_refuses_events_dated_past_its_boundary(scratch):
    populate_at_0018(scratch)  # one event is dated 2027-08
    with pytest.raises(conversion.ConversionError, match="dated on or after 2027-01-01"):
        conversion.prepare(scratch, NOW, echo=lambda _line: None)


def test_sqlite_keeps_a_plain_table(tmp_path):
    database = open_database(f"sqlite:///{tmp_path}/plain.db", pooled=False)
    with database.connection_context():
        migrate(database)
        (sql,) = database.execute_sql(
            "SELECT sql FROM sqlite_master WHERE name = 'events'"
        ).fetchone()
    assert "PARTITION" not in sql.upper() and "event_keys" not in database.get_tables()


def test_a_new_month_takes_its_rows_from_the_default_partition(scratch):
    migrate(scratch)
    write_events(SHOP, [NewEvent("far", "page_view", {"created_at": dt.datetime(2027, 3, 15)})])
    assert set(where_rows_are(scratch).values()) == {"events_default"}

    created = partitions.ensure_ahead(scratch, dt.datetime(2027, 2, 10))

    assert created == ["events_2027_02", "events_2027_03", "events_2027_04"]
    assert set(where_rows_are(scratch).values()) == {"events_2027_03"}
    assert partitions.ensure_ahead(scratch, dt.datetime(2027, 2, 10)) == []
    # The moved row keeps its key: still a duplicate.
    assert write_events(SHOP, [NewEvent("far", "page_view")]) == []


def test_the_operator_commands_prepare_and_switch(scratch, tmp_path):
    ids = populate_at_0018(scratch)
    scratch.execute_sql("DELETE FROM events WHERE created_at > '2027-01-01'")
    url = pg.url_for(scratch.database)
    env = {"DATABASE_URL": url}

    prepared = run_cli("partition-events", env=env, cwd=str(tmp_path))
    assert prepared.returncode == 0, prepared.stderr
    assert "prepared: run `sightline migrate`" in prepared.stdout
    migrated = run_cli("migrate", env=env, cwd=str(tmp_path))
    assert migrated.returncode == 0, migrated.stderr

    assert set(where_rows_are(scratch).values()) == {"events_legacy"}
    assert sorted(where_rows_are(scratch)) == ids[:3]
    sqlite = {"DATABASE_URL": f"sqlite:///{tmp_path}/plain.db"}
    assert_one_line_error(
        run_cli("partition-events", env=sqlite, cwd=str(tmp_path)), "PostgreSQL only"
    )
