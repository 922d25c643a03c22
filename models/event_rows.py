"""Deleting events with what hangs on them: their deliveries and (PostgreSQL) their keys.

On PostgreSQL deliveries.event_id has no foreign key (it cannot reference a partitioned
table's id alone, migration 0019), so nothing cascades: every code path that deletes events
goes through here (retention's row-by-row part, a customer's erasure). Whole months go by
partition instead (models/partitions.py, which deletes the same two).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from models.database import db, is_postgresql
from models.deliveries import Delivery
from models.events import Event

CHUNK = 500  # ids per statement (SQLite's bound-variable limit)


@dataclass
class Deleted:
    events: int = 0
    deliveries: int = 0


def delete_events(ids: Sequence[int], app_id: str | None = None) -> Deleted:
    """Delete the events with these ids (of `app_id` only, when given), their deliveries and
    keys. Run it inside a transaction so the three go together."""
    deleted = Deleted()
    pg = is_postgresql(db)
    for start in range(0, len(ids), CHUNK):
        chunk = list(ids[start : start + CHUNK])
        shop = (Delivery.app_id == app_id) if app_id else True
        deleted.deliveries += Delivery.delete().where(shop & Delivery.event.in_(chunk)).execute()
        if pg:
            marks = ", ".join(["%s"] * len(chunk))
            db.execute_sql(
                "DELETE FROM event_keys k USING events e "  # noqa: S608 (placeholders only)
                f"WHERE e.id IN ({marks}) AND k.app_id = e.app_id "
                "AND k.event_id = e.event_id AND k.id = e.id",
                chunk,
            )
        own = (Event.app_id == app_id) if app_id else True
        deleted.events += Event.delete().where(own & Event.id.in_(chunk)).execute()
    return deleted
