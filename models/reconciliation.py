"""The last reconciliation of each shop's local day: Shopify's orders next to what reached Meta.

One row per (shop, day), overwritten by every check (API, admin, CLI, the worker's morning
duty), so the admin's 30-day table shows exactly what the last check answered."""

from __future__ import annotations

from peewee import (
    BooleanField,
    CharField,
    DateField,
    DateTimeField,
    IntegerField,
    JSONField,
    TextField,
)

from models.base import TimestampedModel, utcnow


class ReconciliationDay(TimestampedModel):
    app_id = CharField(max_length=255)
    day = DateField()  # the shop's local day
    zone = CharField(max_length=64, default="UTC")
    complete = BooleanField(default=False)  # False: the Admin API failed; never read as clean
    error = TextField(null=True)
    orders = IntegerField(default=0)
    recorded = IntegerField(default=0)
    delivered = IntegerField(default=0)
    skipped = JSONField(default=dict)  # reason -> count
    failed = IntegerField(default=0)
    pending = IntegerField(default=0)
    missing = JSONField(default=list)  # order ids without a purchase event
    repaired = IntegerField(default=0)
    checked_at = DateTimeField(default=utcnow)

    class Meta:
        table_name = "reconciliation_days"
        indexes = ((("app_id", "day"), True),)
