"""The seed's three tables: custom_events, events, app_settings."""

import datetime as dt

from peewee import (
    BigAutoField,
    BooleanField,
    CharField,
    DateTimeField,
    DecimalField,
    JSONField,
    Model,
    TextField,
)

from models.fields import InetField


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _frozen_models(db):  # type: ignore[no-untyped-def]
    class CustomEvent(Model):
        app_id = CharField(max_length=255)
        name = CharField(max_length=64)
        display_name = CharField(max_length=255)
        description = TextField(null=True)
        meta_event_name = CharField(max_length=64, null=True)
        page_type = CharField(max_length=64, default="all")
        page_url = CharField(max_length=500, null=True)
        event_type = CharField(max_length=16)
        selector = CharField(max_length=500, null=True)
        event_data = JSONField(default=dict)
        is_active = BooleanField(default=True)
        created_at = DateTimeField(default=_now)
        updated_at = DateTimeField(default=_now)

        class Meta:
            database = db
            table_name = "custom_events"
            indexes = ((("app_id", "name"), True),)

    class Event(Model):
        id = BigAutoField()
        app_id = CharField(max_length=255)
        event_name = CharField(max_length=64)
        event_data = JSONField(default=dict)
        page_url = TextField(null=True)
        user_agent = TextField(null=True)
        ip_address = InetField(null=True)
        device_type = CharField(max_length=16, null=True)
        browser = CharField(max_length=64, null=True)
        country = CharField(max_length=2, null=True)
        city = CharField(max_length=128, null=True)
        utm_source = CharField(max_length=255, null=True)
        utm_medium = CharField(max_length=255, null=True)
        utm_campaign = CharField(max_length=255, null=True)
        utm_term = CharField(max_length=255, null=True)
        utm_content = CharField(max_length=255, null=True)
        session_id = CharField(max_length=64, null=True)
        value = DecimalField(max_digits=14, decimal_places=2, null=True)
        currency = CharField(max_length=3, null=True)
        created_at = DateTimeField(default=_now, index=True)

        class Meta:
            database = db
            table_name = "events"
            indexes = ((("app_id", "event_name"), False),)

    class AppSettings(Model):
        app_id = CharField(max_length=255, unique=True)
        pixel_id = CharField(max_length=32, null=True)
        access_token = TextField(null=True)
        token_expires_at = DateTimeField(null=True)
        tracking_enabled = BooleanField(default=True)
        track_page_views = BooleanField(default=True)
        send_to_meta = BooleanField(default=False)
        record_location = BooleanField(default=True)
        created_at = DateTimeField(default=_now)
        updated_at = DateTimeField(default=_now)

        class Meta:
            database = db
            table_name = "app_settings"

    return [CustomEvent, Event, AppSettings]


def up(migrator, db):  # type: ignore[no-untyped-def]
    db.create_tables(_frozen_models(db))


def down(migrator, db):  # type: ignore[no-untyped-def]
    db.drop_tables(_frozen_models(db))
