"""Today so far for busy shops (`rollup_today`, `rollup_today_rows`): reports read today's
figures from these plus the events above their mark instead of all of today's raw events.

The tables start empty; the rollup worker fills them (shopify_app/analytics/today.py). The
models are frozen here so later changes to models/analytics.py cannot change this migration.
"""

import datetime as dt

from peewee import (
    BigIntegerField,
    CharField,
    DateField,
    DateTimeField,
    DecimalField,
    IntegerField,
    Model,
)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _frozen_models(db):  # type: ignore[no-untyped-def]
    class RollupToday(Model):
        app_id = CharField(max_length=255, unique=True)
        day = DateField()
        zone = CharField(max_length=64)
        last_event_id = BigIntegerField()
        events = IntegerField(default=0)
        tail_events = IntegerField(default=0)
        edge_events = IntegerField(default=0)
        refreshed_at = DateTimeField(default=_now)

        class Meta:
            database = db
            table_name = "rollup_today"

    class RollupTodayRow(Model):
        app_id = CharField(max_length=255)
        dimension = CharField(max_length=16, default="")
        key = CharField(max_length=500, default="")
        events = IntegerField(default=0)
        sessions = IntegerField(default=0)
        value = DecimalField(max_digits=16, decimal_places=2, default=0)
        purchases = IntegerField(default=0)
        revenue = DecimalField(max_digits=16, decimal_places=2, default=0)

        class Meta:
            database = db
            table_name = "rollup_today_rows"
            indexes = ((("app_id", "dimension", "key"), True),)

    return [RollupToday, RollupTodayRow]


def up(migrator, db):  # type: ignore[no-untyped-def]
    db.create_tables(_frozen_models(db))


def down(migrator, db):  # type: ignore[no-untyped-def]
    db.drop_tables(_frozen_models(db))
