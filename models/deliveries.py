"""Outbox: one row per event and destination, claimed and sent by `sightline worker`."""

from __future__ import annotations

from peewee import CharField, DateTimeField, ForeignKeyField, IntegerField, TextField

from models.base import TimestampedModel, utcnow
from models.events import Event


class DeliveryStatus:
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"  # gave up after the last retry
    CANCELLED = "cancelled"  # the shop uninstalled or removed the destination


class Delivery(TimestampedModel):
    app_id = CharField(max_length=255)
    event = ForeignKeyField(Event, on_delete="CASCADE", backref="deliveries")
    destination = CharField(max_length=32)
    event_name = CharField(max_length=64, default="")  # the destination's name, e.g. "Purchase"
    status = CharField(max_length=16, default=DeliveryStatus.PENDING)
    attempts = IntegerField(default=0)
    next_attempt_at = DateTimeField(default=utcnow)
    last_error = TextField(null=True)
    sent_at = DateTimeField(null=True)

    class Meta:
        table_name = "deliveries"
        indexes = (
            (("event", "destination"), True),
            (("status", "next_attempt_at"), False),
            (("app_id", "status"), False),
        )
