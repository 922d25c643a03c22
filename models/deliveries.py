"""Outbox: one row per event and destination, claimed and sent by `sightline worker`.

A worker claims a pending row by moving its `next_attempt_at` a lease ahead and stamping its
`claim_token`; every later write names that token, so a worker whose lease ran out cannot
overwrite the outcome of the worker that claimed the row after it."""

from __future__ import annotations

from peewee import CharField, DateTimeField, ForeignKeyField, IntegerField, TextField

from models.base import TimestampedModel, utcnow
from models.events import Event


class DeliveryStatus:
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"  # the destination refused this event (its message in last_error)
    CANCELLED = "cancelled"  # the shop uninstalled or removed the destination
    EXPIRED = "expired"  # too old for the destination (Meta: 7 days); never sent


class Delivery(TimestampedModel):
    app_id = CharField(max_length=255)
    # A foreign key on SQLite only: PostgreSQL's partitioned events cannot be referenced by id
    # alone (migration 0019), so code deletes deliveries with their events (models/event_rows.py).
    event = ForeignKeyField(Event, on_delete="CASCADE", backref="deliveries")
    destination = CharField(max_length=32)
    event_name = CharField(max_length=64, default="")  # the destination's name, e.g. "Purchase"
    status = CharField(max_length=16, default=DeliveryStatus.PENDING)
    attempts = IntegerField(default=0)
    next_attempt_at = DateTimeField(default=utcnow)
    last_error = TextField(null=True)
    sent_at = DateTimeField(null=True)
    # Added by migration 0011.
    claim_token = CharField(max_length=32, null=True)  # the claim that owns the row now
    fbtrace_id = CharField(max_length=64, null=True)  # Meta's trace id of the last answer
    error_code = IntegerField(null=True)  # Meta's error code of the last failure
    events_received = IntegerField(null=True)  # Meta's count for the batch that carried it

    class Meta:
        table_name = "deliveries"
        indexes = (
            (("event", "destination"), True),
            (("status", "next_attempt_at"), False),
            (("app_id", "status"), False),
            (("app_id", "created_at"), False),  # migration 0011: the Deliveries page per day
        )
