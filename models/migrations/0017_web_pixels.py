"""Web pixels (issue 14): per shop, the hash of the pixel's key and Shopify's pixel id."""

import datetime as dt

from peewee import CharField, DateTimeField, Model


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _frozen_model(db):  # type: ignore[no-untyped-def]
    class WebPixel(Model):
        app_id = CharField(max_length=255, unique=True)
        key_hash = CharField(max_length=64)
        web_pixel_id = CharField(max_length=255, null=True)
        synced_at = DateTimeField(null=True)
        sync_error = CharField(max_length=500, null=True)
        created_at = DateTimeField(default=_now)
        updated_at = DateTimeField(default=_now)

        class Meta:
            database = db
            table_name = "web_pixels"

    return WebPixel


def up(migrator, db):  # type: ignore[no-untyped-def]
    db.create_tables([_frozen_model(db)])


def down(migrator, db):  # type: ignore[no-untyped-def]
    db.drop_tables([_frozen_model(db)])
