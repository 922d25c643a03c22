"""Reconciliation: the last check of each shop's local day (orders next to what reached Meta)."""

import datetime as dt

from peewee import (
    BooleanField,
    CharField,
    DateField,
    DateTimeField,
    IntegerField,
    JSONField,
    Model,
    TextField,
)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _frozen_model(db):  # type: ignore[no-untyped-def]
    class ReconciliationDay(Model):
        app_id = CharField(max_length=255)
        day = DateField()
        zone = CharField(max_length=64, default="UTC")
        complete = BooleanField(default=False)
        error = TextField(null=True)
        orders = IntegerField(default=0)
        recorded = IntegerField(default=0)
        delivered = IntegerField(default=0)
        skipped = JSONField(default=dict)
        failed = IntegerField(default=0)
        pending = IntegerField(default=0)
        missing = JSONField(default=list)
        repaired = IntegerField(default=0)
        checked_at = DateTimeField(default=_now)
        created_at = DateTimeField(default=_now)
        updated_at = DateTimeField(default=_now)

        class Meta:
            database = db
            table_name = "reconciliation_days"
            indexes = ((("app_id", "day"), True),)

    return ReconciliationDay


def up(migrator, db):  # type: ignore[no-untyped-def]
    db.create_tables([_frozen_model(db)])


def down(migrator, db):  # type: ignore[no-untyped-def]
    db.drop_tables([_frozen_model(db)])
