"""PostgreSQL: insert events once per (app_id, event_id), through `event_keys`.

`events` is partitioned by month (models/partitions.py), and a partitioned table's unique
indexes must include the partition key, so `ON CONFLICT (app_id, event_id)` on `events` is not
available there. Each writer statement therefore inserts the keys first, in the same statement:

    WITH src AS (the rows, each with its id drawn from the sequence),
         k AS (INSERT INTO event_keys ... ON CONFLICT DO NOTHING RETURNING id)
    INSERT INTO events SELECT ... FROM src WHERE event_id IS NULL OR id IN (SELECT id FROM k)
    RETURNING id, app_id, event_id

A key already stored (a retry), or repeated within the statement, returns nothing from `k`, so
its row is skipped and not returned: the reply per event (accepted or duplicate) is what the
unique index gave before. A concurrent insert of the same key waits for the other transaction,
as a unique index did. Every purchase with an order is stored as `order:<id>`
(webhooks/orders.py), so its key also keeps one purchase per order.
"""

from __future__ import annotations

from collections.abc import Sequence

KEYS_TABLE = "event_keys"
SEQUENCE = "events_id_seq"


def keyed_insert(source: str, columns: Sequence[str], *, has_id: bool = False) -> str:
    """The statement inserting `source`'s rows (a SELECT naming `columns`, plus `id` when
    `has_id`) whose keys are new; returns id, app_id, event_id of each row inserted."""
    column_list = ", ".join(f'"{c}"' for c in columns)
    ident = "s.id" if has_id else f"nextval('{SEQUENCE}')"
    plain = ", ".join(f's."{c}"' for c in columns)
    # Column names come from the callers' constants and the model, never from input.
    return (
        f"WITH src AS MATERIALIZED (SELECT {ident} AS id, {plain} FROM ({source}) AS s), "  # noqa: S608
        f"k AS (INSERT INTO {KEYS_TABLE} (app_id, event_id, id) "
        "SELECT app_id, event_id, id FROM src WHERE event_id IS NOT NULL "
        "ON CONFLICT DO NOTHING RETURNING id) "
        f"INSERT INTO events (id, {column_list}) SELECT id, {column_list} FROM src "
        "WHERE event_id IS NULL OR id IN (SELECT id FROM k) "
        "RETURNING id, app_id, event_id"
    )
