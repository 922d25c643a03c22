"""Webhook deliveries received from Shopify, recorded once per webhook id."""

from __future__ import annotations

from peewee import CharField, DateTimeField, IntegerField, TextField

from models.base import BaseModel, utcnow


class WebhookStatus:
    RECEIVED = "received"
    PROCESSED = "processed"
    FAILED = "failed"
    # The body does not fit its topic or names another shop: never processed, never retried.
    REJECTED = "rejected"


class WebhookDelivery(BaseModel):
    webhook_id = CharField(max_length=255, unique=True)
    app_id = CharField(max_length=255, index=True)
    topic = CharField(max_length=64)
    status = CharField(max_length=16, default=WebhookStatus.RECEIVED)
    body = TextField()  # the raw payload, kept so a failed delivery can be processed again
    attempts = IntegerField(default=0)
    last_error = TextField(null=True)
    received_at = DateTimeField(default=utcnow)
    processed_at = DateTimeField(null=True)
    # Migration 0016: a processor's lease on the row (or a failed row's back-off).
    claimed_until = DateTimeField(null=True)

    class Meta:
        table_name = "webhook_deliveries"
        indexes = ((("status", "received_at"), False),)


# The rows still to process, in claim order (migration 0016): claims read only these.
WebhookDelivery.add_index(
    WebhookDelivery.index(
        WebhookDelivery.id,
        name="webhook_deliveries_due",
        where=WebhookDelivery.status.in_(["received", "failed"]),
    )
)
