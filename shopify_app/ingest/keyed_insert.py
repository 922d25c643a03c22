"""PostgreSQL: insert events once per (app_id, event_id), through `event_keys`.

`events` is partitioned by month (models/partitions.py), and a partitioned table's unique
indexes must include the partition key, so `ON CONFLICT (app_id, event_id)` on `events` is not
available there. Each writer statement therefore inserts the keys first, in the same statement:

    WITH src AS (the rows, each with its id drawn from the sequence),
         k AS (INSERT INTO event_keys ... ON CONFLICT DO NOTHING RETURNING id),
         ins AS (INSERT INTO events SELECT ... FROM src
                 WHERE event_id IS NULL OR id IN (SELECT id FROM k)
                 RETURNING id, app_id, event_id)
    SELECT id, app_id, event_id FROM ins

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


def keyed_steps(source: str, columns: Sequence[str], *, has_id: bool = False) -> list[str]:
    """The top-level CTEs inserting `source`'s rows (a SELECT naming `columns`, plus `id` when
    `has_id`) whose keys are new; the last, `ins`, returns id, app_id, event_id of each row
    inserted. A caller may add steps that read `ins` (PostgreSQL allows data-modifying CTEs only
    at the top level, so they are composed as a list, never nested)."""
    column_list = ", ".join(f'"{c}"' for c in columns)
    ident = "s.id" if has_id else f"nextval('{SEQUENCE}')"
    plain = ", ".join(f's."{c}"' for c in columns)
    # Column names come from the callers' constants and the model, never from input.
    return [
        f"src AS MATERIALIZED (SELECT {ident} AS id, {plain} FROM ({source}) AS s)",  # noqa: S608
        f"k AS (INSERT INTO {KEYS_TABLE} (app_id, event_id, id) "  # noqa: S608
        "SELECT app_id, event_id, id FROM src WHERE event_id IS NOT NULL "
        "ON CONFLICT DO NOTHING RETURNING id)",
        f"ins AS (INSERT INTO events (id, {column_list}) SELECT id, {column_list} FROM src "  # noqa: S608
        "WHERE event_id IS NULL OR id IN (SELECT id FROM k) "
        "RETURNING id, app_id, event_id)",
    ]


def with_steps(steps: Sequence[str]) -> str:
    """One statement running `steps` (ending with or including `ins`), returning `ins`'s rows."""
    return f"WITH {', '.join(steps)} SELECT id, app_id, event_id FROM ins"  # noqa: S608


def keyed_insert(source: str, columns: Sequence[str], *, has_id: bool = False) -> str:
    """The statement inserting `source`'s rows whose keys are new (see `keyed_steps`)."""
    return with_steps(keyed_steps(source, columns, has_id=has_id))
