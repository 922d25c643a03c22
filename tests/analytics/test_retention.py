"""Retention: whole months dropped on PostgreSQL, the rest deleted row by row (and everything
on SQLite), always with the events' deliveries and keys, never before the rollups hold them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from models import Delivery, Event, open_database, partitions, utcnow
from shopify_app.analytics import retention, rollups
from shopify_app.ingest.writer import NewEvent, write_events
from tests.conftest import is_postgresql

NOW = dt.datetime(2026, 11, 25, 12, 0)
SHOP = "shop-a.myshopify.com"
SEPTEMBER = dt.datetime(2026, 9, 1)


def store(event_id: str, at: dt.datetime, *, delivery: bool = False) -> int:
    write_events(SHOP, [NewEvent(event_id, "page_view", {"created_at": at, "session_id": "s"})])
    pk = Event.get(Event.event_id == event_id).id
    if delivery:
        Delivery.create(app_id=SHOP, event=pk, destination="meta", event_name="PageView")
    return pk


@pytest.fixture
def september(db) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """PostgreSQL: a partition for September 2026 (the session's database starts at its month)."""
    if not is_postgresql(db):
        pytest.skip("partitions are PostgreSQL's")
    with db.atomic():
        partitions.create_month(db, SEPTEMBER)
    yield
    for name in ("events_2026_09", "events_expired_2026_09"):
        db.execute_sql(f'DROP TABLE IF EXISTS "{name}"')


def test_expired_events_go_with_their_deliveries_and_keys(db):
    store("old-1", NOW - dt.timedelta(days=20), delivery=True)
    recent = store("recent", NOW - dt.timedelta(days=2), delivery=True)

    result = rollups.run_round(NOW, retention_days=7)

    assert result.expired == 1
    assert [e.event_id for e in Event.select()] == ["recent"]
    assert [d.event_id for d in Delivery.select()] == [recent]
    # The expired event's key went too: its id can be stored again.
    assert write_events(SHOP, [NewEvent("old-1", "page_view")]) == ["old-1"]


def test_a_whole_month_is_dropped_with_its_deliveries_and_keys(db, september):
    kept = store("nov", NOW - dt.timedelta(days=1), delivery=True)
    store("sep-1", dt.datetime(2026, 9, 3), delivery=True)
    store("sep-2", dt.datetime(2026, 9, 30, 23), delivery=True)
    store("oct", dt.datetime(2026, 10, 5))  # no October partition here: the default one

    result = rollups.run_round(NOW, retention_days=7)

    assert result.expired == 3
    names = {p.name for p in partitions.partitions(db)}
    assert "events_2026_09" not in names and partitions.detached(db) == []
    assert [e.event_id for e in Event.select()] == ["nov"]
    assert [d.event_id for d in Delivery.select()] == [kept]
    (keys,) = db.execute_sql(
        "SELECT array_agg(event_id ORDER BY event_id) FROM event_keys"
    ).fetchone()
    assert keys == ["nov"]


def test_a_month_waits_until_every_event_in_it_is_folded_in(db, september):
    first = store("sep-1", dt.datetime(2026, 9, 3))
    store("sep-2", dt.datetime(2026, 9, 4))
    cutoff = NOW - dt.timedelta(days=7)

    assert retention.drop_months(cutoff, watermark=first) == 0

    assert "events_2026_09" in {p.name for p in partitions.partitions(db)}
    assert Event.select().count() == 2


def test_a_month_left_detached_by_an_interrupted_round_is_finished(db, september):
    pk = store("sep-1", dt.datetime(2026, 9, 3), delivery=True)
    (month,) = [p for p in partitions.partitions(db) if p.name == "events_2026_09"]
    assert partitions.detach(db, month, watermark=pk) == "events_expired_2026_09"

    assert retention.drop_months(NOW, watermark=0) == 1  # nothing else is old enough

    assert partitions.detached(db) == [] and Delivery.select().count() == 0
    assert write_events(SHOP, [NewEvent("sep-1", "page_view")]) == ["sep-1"]


def test_the_round_keeps_partitions_ahead(db):
    if not is_postgresql(db):
        pytest.skip("partitions are PostgreSQL's")
    # Years after the session's database was made: none of these months exists yet.
    later = partitions.month_start(utcnow() + dt.timedelta(days=1000)) + dt.timedelta(days=19)
    created = rollups.run_round(later).partitions
    try:
        months = [later.replace(day=1)]
        for _ in range(partitions.AHEAD_MONTHS):
            months.append(partitions.next_month(months[-1]))
        assert created == [partitions.month_name(m) for m in months]
        assert rollups.run_round(later).partitions == []
    finally:
        for name in created:
            db.execute_sql(f'DROP TABLE IF EXISTS "{name}"')


def test_a_long_reader_delays_the_drop_to_a_later_round(db, september, database_url, monkeypatch):
    pk = store("sep-1", dt.datetime(2026, 9, 3))
    monkeypatch.setattr(partitions, "LOCK_TIMEOUT", "100ms")
    reader = open_database(database_url, pooled=False)
    with reader.connection_context(), reader.atomic():
        reader.execute_sql("SELECT COUNT(*) FROM events")  # holds its lock until commit
        assert retention.drop_months(NOW, watermark=pk) == 0
        assert "events_2026_09" in {p.name for p in partitions.partitions(db)}
    assert retention.drop_months(NOW, watermark=pk) == 1
