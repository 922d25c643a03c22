"""Durable event writes: each event stored once (by `event_id`), with its outbox rows, in one
transaction, so an accepted event is never lost and never delivered twice."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from models import AppSettings, Delivery, Event, db

META = "meta"


@dataclass
class NewEvent:
    event_id: str
    event_name: str
    columns: dict[str, Any] = field(default_factory=dict)  # any other Event column
    meta_event_name: str | None = None  # Meta standard event this maps to, if any
    marketing_consent: bool = False  # shopper allowed marketing (ads) use


def meta_enabled(app_id: str) -> bool:
    """The shop has a pixel and has turned sending to Meta on."""
    settings = AppSettings.get_or_none(AppSettings.app_id == app_id)
    return bool(settings and settings.pixel_id and settings.send_to_meta)


def write_events(app_id: str, events: Sequence[NewEvent]) -> list[str]:
    """Store `events` for one shop; returns the event_ids that were new (duplicates are skipped).

    Meta deliveries are queued in the same transaction for new events that map to a Meta event,
    when the shop sends to Meta and the shopper gave marketing consent.
    """
    if not events:
        return []
    rows = [
        {**e.columns, "app_id": app_id, "event_id": e.event_id, "event_name": e.event_name}
        for e in events
    ]
    with db.atomic():
        inserted = (
            Event.insert_many(rows)
            .on_conflict_ignore()
            .returning(Event.id, Event.event_id)
            .tuples()
            .execute()
        )
        new_ids = {event_id: pk for pk, event_id in inserted}
        _queue_meta_deliveries(app_id, events, new_ids)
    return list(new_ids)


def _queue_meta_deliveries(
    app_id: str, events: Sequence[NewEvent], new_ids: dict[str, int]
) -> None:
    wanted = [
        e for e in events if e.event_id in new_ids and e.meta_event_name and e.marketing_consent
    ]
    if not wanted or not meta_enabled(app_id):
        return
    Delivery.insert_many(
        [
            {
                "app_id": app_id,
                "event": new_ids[e.event_id],
                "destination": META,
                "event_name": e.meta_event_name,
            }
            for e in wanted
        ]
    ).on_conflict_ignore().execute()
