"""Shops with encrypted tokens, webhook deliveries, the delivery outbox, and event columns
for deduplication, attribution and server-side purchases."""

import datetime as dt

from peewee import (
    CharField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    Model,
    TextField,
)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


NEW_EVENT_COLUMNS = {
    "event_id": lambda: CharField(max_length=64, null=True),
    "source": lambda: CharField(max_length=16, default="storefront"),
    "page_type": lambda: CharField(max_length=64, null=True),
    "referrer": lambda: TextField(null=True),
    "fbclid": lambda: CharField(max_length=255, null=True),
    "gclid": lambda: CharField(max_length=255, null=True),
    "ttclid": lambda: CharField(max_length=255, null=True),
    "fbp": lambda: CharField(max_length=255, null=True),
    "fbc": lambda: CharField(max_length=255, null=True),
    "order_id": lambda: CharField(max_length=64, null=True),
}


def _frozen_models(db):  # type: ignore[no-untyped-def]
    class Event(Model):  # only the key, for the foreign key below
        class Meta:
            database = db
            table_name = "events"

    class Shop(Model):
        domain = CharField(max_length=255, unique=True)
        state = CharField(max_length=16, default="installed")
        access_token = TextField(null=True)
        access_token_expires_at = DateTimeField(null=True)
        refresh_token = TextField(null=True)
        refresh_token_expires_at = DateTimeField(null=True)
        scopes = TextField(default="")
        installed_at = DateTimeField(null=True)
        uninstalled_at = DateTimeField(null=True)
        created_at = DateTimeField(default=_now)
        updated_at = DateTimeField(default=_now)

        class Meta:
            database = db
            table_name = "shops"

    class WebhookDelivery(Model):
        webhook_id = CharField(max_length=255, unique=True)
        app_id = CharField(max_length=255, index=True)
        topic = CharField(max_length=64)
        status = CharField(max_length=16, default="received")
        body = TextField()
        attempts = IntegerField(default=0)
        last_error = TextField(null=True)
        received_at = DateTimeField(default=_now)
        processed_at = DateTimeField(null=True)

        class Meta:
            database = db
            table_name = "webhook_deliveries"
            indexes = ((("status", "received_at"), False),)

    class Delivery(Model):
        app_id = CharField(max_length=255)
        event = ForeignKeyField(Event, on_delete="CASCADE")
        destination = CharField(max_length=32)
        status = CharField(max_length=16, default="pending")
        attempts = IntegerField(default=0)
        next_attempt_at = DateTimeField(default=_now)
        last_error = TextField(null=True)
        sent_at = DateTimeField(null=True)
        created_at = DateTimeField(default=_now)
        updated_at = DateTimeField(default=_now)

        class Meta:
            database = db
            table_name = "deliveries"
            indexes = (
                (("event", "destination"), True),
                (("status", "next_attempt_at"), False),
                (("app_id", "status"), False),
            )

    return [Shop, WebhookDelivery, Delivery]


def up(migrator, db):  # type: ignore[no-untyped-def]
    migrator.migrate(
        *[migrator.add_column("events", name, make()) for name, make in NEW_EVENT_COLUMNS.items()],
        migrator.add_index("events", ("app_id", "event_id"), unique=True),
        migrator.add_index("events", ("app_id", "order_id"), unique=False),
    )
    db.create_tables(_frozen_models(db))


def down(migrator, db):  # type: ignore[no-untyped-def]
    db.drop_tables(_frozen_models(db)[::-1])
    migrator.migrate(
        migrator.drop_index("events", "events_app_id_order_id"),
        migrator.drop_index("events", "events_app_id_event_id"),
        *[migrator.drop_column("events", name) for name in NEW_EVENT_COLUMNS],
    )
