"""Durable event writes: each event stored once (by `event_id`), with its outbox rows, in one
transaction, so an accepted event is never lost and never delivered twice.

`write_batches` writes several shops' batches in one transaction; PostgreSQL gets large ones
through COPY. Storefront events take `write_storefront` instead (the group committer hands it
everything that queued up during the previous commit): one set-based statement per commit, see
`storefront_sql`."""

from __future__ import annotations

import json
import weakref
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import msgspec

from models import Delivery, Event, db, utcnow
from models.database import is_postgresql
from shopify_app.ingest.enrich import normalize_ip
from shopify_app.ingest.keyed_insert import keyed_insert
from shopify_app.ingest.storefront_sql import (
    META,
    POSTGRESQL_INSERT,
    POSTGRESQL_INSERT_QUEUE,
    SQLITE_INSERT,
)

SQLITE_CHUNK = 200  # rows per INSERT: stays under SQLite's bound-variable limit
# Below this, one multi-row INSERT beats COPY's extra round trips (staging table, merge).
COPY_MIN_ROWS = 20

# Every column but the key, in one order, so rows from many callers can share one statement.
COLUMNS: list[str] = [f.column_name for f in Event._meta.sorted_fields if f.name != "id"]
_DEFAULTS: dict[str, Any] = {
    f.column_name: f.default for f in Event._meta.sorted_fields if f.default is not None
}
_JSON_COLUMNS = {"custom_data"}
# PostgreSQL: a VALUES list in a subquery types untyped parameters as text, so each is cast to
# its column's type (the keyed insert selects from it).
_PG_TYPES = {
    "DATETIME": "timestamp",
    "DECIMAL": "numeric",
    "BOOL": "boolean",
    "JSON": "jsonb",
    "INET": "inet",
}
_PG_PARAMS = [
    f"CAST(%s AS {_PG_TYPES.get(f.field_type, 'text')})"
    for f in Event._meta.sorted_fields
    if f.name != "id"
]


PURCHASE = "purchase"


def purchase_event_id(order_id: str) -> str:
    """An order's purchase id, `order:<id>`: orders/create, orders/paid and every retry collapse
    into one event. Storefront ids cannot hold a `:` (ingest/validate.py), so no shopper takes
    it first. Stored once per shop, this id is what keeps one purchase per order (on
    PostgreSQL through event_keys: `events` is partitioned and has no unique index)."""
    return f"order:{order_id}"


@dataclass
class NewEvent:
    event_id: str
    event_name: str
    columns: dict[str, Any] = field(default_factory=dict)  # any other Event column
    meta_event_name: str | None = None  # Meta standard event this maps to, if any
    marketing_consent: bool = False  # shopper allowed marketing (ads) use


Batch = tuple[str, Sequence[NewEvent]]  # (app_id, events)


@dataclass
class StorefrontBatch:
    """One storefront request's events, in the shape `storefront_sql` expands."""

    app_id: str
    shared: dict[str, Any]  # storefront_sql.SHARED columns and the batch's attribution
    events: list[dict[str, Any]]  # storefront_sql.OWN columns and the URL's attribution
    meta: dict[str, str] = field(default_factory=dict)  # event_id -> Meta event, if queued


_encode = msgspec.json.Encoder().encode


def write_storefront(batches: Sequence[StorefrontBatch]) -> list[int]:
    """Store every batch's events in one transaction with one INSERT (duplicates skipped) and
    queue Meta deliveries for the new ones; returns how many events of each batch were new."""
    payload = [{**b.shared, "app_id": b.app_id, "events": b.events} for b in batches if b.events]
    if not payload:
        return [0 for _ in batches]
    write = _write_postgresql if is_postgresql(db) else _write_sqlite
    new_ids = write(batches, payload)
    return [sum((b.app_id, e["event_id"]) in new_ids for e in b.events) for b in batches]


def _write_postgresql(
    batches: Sequence[StorefrontBatch], payload: list[dict[str, Any]]
) -> set[tuple[str, str]]:
    # One statement (events and their deliveries), run in autocommit: it commits by itself.
    meta = [
        {"app_id": b.app_id, "event_id": event_id, "event_name": name}
        for b in batches
        for event_id, name in b.meta.items()
    ]
    events = _encode(payload).decode()
    if meta:
        cursor = db.execute_sql(POSTGRESQL_INSERT_QUEUE, (events, _encode(meta).decode()))
    else:
        cursor = db.execute_sql(POSTGRESQL_INSERT, (events,))
    return {(app_id, event_id) for _, app_id, event_id in cursor.fetchall()}


def _write_sqlite(
    batches: Sequence[StorefrontBatch], payload: list[dict[str, Any]]
) -> set[tuple[str, str]]:
    del payload  # SQLite takes the rows in two parameters (see storefront_sql)
    with db.atomic():
        cursor = db.execute_sql(SQLITE_INSERT, _sqlite_params(batches))
        new_ids = {(app_id, event_id): pk for pk, app_id, event_id in cursor.fetchall()}
        rows = [
            {
                "app_id": b.app_id,
                "event": new_ids[(b.app_id, event_id)],
                "destination": META,
                "event_name": meta_name,
            }
            for b in batches
            for event_id, meta_name in b.meta.items()
            if (b.app_id, event_id) in new_ids
        ]
        if rows:
            enabled = {app_id for app_id in {r["app_id"] for r in rows} if meta_enabled(app_id)}
            rows = [r for r in rows if r["app_id"] in enabled]
            if rows:
                Delivery.insert_many(rows).on_conflict_ignore().execute()
    return set(new_ids)


def meta_enabled(app_id: str) -> bool:
    """The shop has a pixel and has turned sending to Meta on."""
    row = db.execute_sql(_META_ENABLED_SQL.replace("?", db.param), (app_id,)).fetchone()
    return bool(row and row[0] and row[1])


_META_ENABLED_SQL = "SELECT pixel_id, send_to_meta FROM app_settings WHERE app_id = ?"


def write_events(app_id: str, events: Sequence[NewEvent]) -> list[str]:
    """Store `events` for one shop; returns the event_ids that were new (duplicates are skipped).

    Meta deliveries are queued in the same transaction for new events that map to a Meta event,
    when the shop sends to Meta and the shopper gave marketing consent.
    """
    return write_batches([(app_id, events)])[0]


def write_batches(batches: Sequence[Batch]) -> list[list[str]]:
    """`write_events` for many batches in one transaction; one list of new event_ids per batch."""
    rows = [_row(app_id, e) for app_id, events in batches for e in events]
    if not rows:
        return [[] for _ in batches]
    with db.atomic():
        if is_postgresql(db) and len(rows) >= COPY_MIN_ROWS:
            new_ids = _insert_copy(rows)
        else:
            new_ids = _insert_values(rows)
        _queue_meta_deliveries(batches, new_ids)
    return [
        [e.event_id for e in events if (app_id, e.event_id) in new_ids]
        for app_id, events in batches
    ]


def _sqlite_params(batches: Sequence[StorefrontBatch]) -> tuple[str, str]:
    # (requests' shared columns, events each with "r": its request's index): see storefront_sql.
    requests = [{**b.shared, "app_id": b.app_id} for b in batches]
    events = [{**e, "r": i} for i, b in enumerate(batches) for e in b.events]
    return _encode(requests).decode(), _encode(events).decode()


def _row(app_id: str, event: NewEvent) -> dict[str, Any]:
    row = {column: None for column in COLUMNS}
    row.update(_DEFAULTS)
    row.update(event.columns)
    row.update(app_id=app_id, event_id=event.event_id, event_name=event.event_name)
    # One unstorable address must not fail the commit that other shoppers' events share.
    row["ip_address"] = normalize_ip(row["ip_address"])
    order_id = row["order_id"]
    if event.event_name == PURCHASE and order_id and event.event_id != purchase_event_id(order_id):
        raise ValueError(f"order {order_id}'s purchase is stored as {purchase_event_id(order_id)}")
    if row["created_at"] is None or callable(row["created_at"]):
        row["created_at"] = utcnow()
    if callable(row["custom_data"]):
        row["custom_data"] = row["custom_data"]()
    return row


def _insert_values(rows: list[dict[str, Any]]) -> dict[tuple[str, str], int]:
    # The statement text is made here, not by peewee: building a 30-column insert through the
    # query builder cost ~1 ms a row, more than the database takes to store it.
    new_ids: dict[tuple[str, str], int] = {}
    pg = is_postgresql(db)
    one_row = "(" + ", ".join(_PG_PARAMS if pg else [db.param] * len(COLUMNS)) + ")"
    for start in range(0, len(rows), SQLITE_CHUNK):
        chunk = rows[start : start + SQLITE_CHUNK]
        values = "VALUES " + ", ".join([one_row] * len(chunk))
        statement = (
            # Column names come from the model, values are parameters.
            keyed_insert(f"SELECT * FROM ({values}) AS v ({_COLUMN_LIST})", COLUMNS)  # noqa: S608
            if pg
            else f"INSERT INTO events ({_COLUMN_LIST}) {values} "
            "ON CONFLICT DO NOTHING RETURNING id, app_id, event_id"
        )
        params = [_db_value(c, row[c]) for row in chunk for c in COLUMNS]
        inserted = db.execute_sql(statement, params).fetchall()
        new_ids.update({(app_id, event_id): pk for pk, app_id, event_id in inserted})
    return new_ids


def _db_value(column: str, value: Any) -> Any:
    if value is None:
        return None
    if column in _JSON_COLUMNS:
        return json.dumps(value)
    if column == "ip_address":
        return str(value)
    return value


_STAGE_SQL = (
    "CREATE TEMP TABLE IF NOT EXISTS events_stage "
    "(LIKE events INCLUDING DEFAULTS) ON COMMIT DELETE ROWS"
)
_COLUMN_LIST = ", ".join(f'"{c}"' for c in COLUMNS)
# Column names come from the model, never from input. The staged rows drew their ids from the
# sequence (the stage's default): the events keep them.
_MERGE_SQL = keyed_insert(
    f"SELECT id, {_COLUMN_LIST} FROM events_stage",  # noqa: S608
    COLUMNS,
    has_id=True,
)


_staged_connections: weakref.WeakSet[Any] = weakref.WeakSet()


def _insert_copy(rows: list[dict[str, Any]]) -> dict[tuple[str, str], int]:
    # COPY cannot skip duplicates, so rows go to a per-connection staging table (emptied at
    # commit) and one INSERT ... SELECT moves the new ones across.
    connection = db.connection()
    with connection.cursor() as cursor:
        if connection not in _staged_connections:
            cursor.execute(_STAGE_SQL)  # once per connection: temp tables live as long as it
            _staged_connections.add(connection)
        with cursor.copy(f"COPY events_stage ({_COLUMN_LIST}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([_db_value(c, row[c]) for c in COLUMNS])
        cursor.execute(_MERGE_SQL)
        inserted = cursor.fetchall()  # the staged rows go at commit, or with a rollback
    return {(app_id, event_id): pk for pk, app_id, event_id in inserted}


def _queue_meta_deliveries(batches: Sequence[Batch], new_ids: dict[tuple[str, str], int]) -> None:
    wanted = [
        (app_id, e)
        for app_id, events in batches
        for e in events
        if (app_id, e.event_id) in new_ids and e.meta_event_name and e.marketing_consent
    ]
    enabled = {app_id for app_id in {a for a, _ in wanted} if meta_enabled(app_id)}
    rows = [
        {
            "app_id": app_id,
            "event": new_ids[(app_id, e.event_id)],
            "destination": META,
            "event_name": e.meta_event_name,
        }
        for app_id, e in wanted
        if app_id in enabled
    ]
    if rows:
        Delivery.insert_many(rows).on_conflict_ignore().execute()
