"""Picker sessions (point-and-click event setup): the storefront's choice, held for the admin."""

import datetime as dt

from peewee import CharField, DateTimeField, IntegerField, JSONField, Model


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _frozen_model(db):  # type: ignore[no-untyped-def]
    class PickerSession(Model):
        app_id = CharField(max_length=255)
        session_id = CharField(max_length=32)
        expires_at = DateTimeField()
        selection = JSONField(null=True)
        seq = IntegerField(default=0)
        created_at = DateTimeField(default=_now)
        updated_at = DateTimeField(default=_now)

        class Meta:
            database = db
            table_name = "picker_sessions"
            indexes = ((("app_id", "session_id"), True),)

    return PickerSession


def up(migrator, db):  # type: ignore[no-untyped-def]
    db.create_tables([_frozen_model(db)])


def down(migrator, db):  # type: ignore[no-untyped-def]
    db.drop_tables([_frozen_model(db)])
