"""Report rollups (daily, hourly, sessions per dimension, pages), the `sessions` table, the
rollup worker's watermark, and `shops.iana_timezone`, and an index on events by (shop, session).

The tables start empty: run `sightline rollup --rebuild` after this migration to fold in the
events already stored (the worker keeps them current from then on). The models are frozen here
so later changes to models/analytics.py cannot change what this migration builds.
"""

from peewee import (
    BigIntegerField,
    BooleanField,
    CharField,
    DateField,
    DateTimeField,
    DecimalField,
    IntegerField,
    Model,
    TextField,
)

DIMENSIONS = (
    "event_name",
    "source",
    "device_type",
    "browser",
    "country",
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "page_type",
    "currency",
)


def _frozen_models(db):  # type: ignore[no-untyped-def]
    class Base(Model):
        class Meta:
            database = db

    class Cube(Base):
        app_id = CharField(max_length=255)
        event_name = CharField(max_length=64, default="")
        source = CharField(max_length=16, default="")
        device_type = CharField(max_length=16, default="")
        browser = CharField(max_length=64, default="")
        country = CharField(max_length=2, default="")
        utm_source = CharField(max_length=255, default="")
        utm_medium = CharField(max_length=255, default="")
        utm_campaign = CharField(max_length=255, default="")
        page_type = CharField(max_length=64, default="")
        currency = CharField(max_length=3, default="")
        events = IntegerField(default=0)
        sessions = IntegerField(default=0)
        value = DecimalField(max_digits=16, decimal_places=2, default=0)

    class RollupDaily(Cube):
        day = DateField()

        class Meta:
            table_name = "rollups_daily"
            indexes = ((("app_id", "day", *DIMENSIONS), True),)

    class RollupHourly(Cube):
        hour = DateTimeField()

        class Meta:
            table_name = "rollups_hourly"
            indexes = ((("app_id", "hour", *DIMENSIONS), True),)

    class RollupDimension(Base):
        app_id = CharField(max_length=255)
        grain = CharField(max_length=4)
        bucket = DateTimeField()
        dimension = CharField(max_length=16, default="")
        key = CharField(max_length=255, default="")
        events = IntegerField(default=0)
        sessions = IntegerField(default=0)
        value = DecimalField(max_digits=16, decimal_places=2, default=0)
        purchases = IntegerField(default=0)
        revenue = DecimalField(max_digits=16, decimal_places=2, default=0)

        class Meta:
            table_name = "rollups_by_dimension"
            indexes = ((("app_id", "grain", "dimension", "bucket", "key"), True),)

    class RollupPage(Base):
        app_id = CharField(max_length=255)
        day = DateField()
        path = CharField(max_length=500)
        views = IntegerField(default=0)
        sessions = IntegerField(default=0)

        class Meta:
            table_name = "rollup_pages"
            indexes = ((("app_id", "day", "path"), True),)

    class Session(Base):
        app_id = CharField(max_length=255)
        session_id = CharField(max_length=64)
        first_seen = DateTimeField()
        last_seen = DateTimeField()
        landing_page = TextField(null=True)
        landing_page_type = CharField(max_length=64, null=True)
        source = CharField(max_length=16, null=True)
        device_type = CharField(max_length=16, null=True)
        browser = CharField(max_length=64, null=True)
        country = CharField(max_length=2, null=True)
        utm_source = CharField(max_length=255, null=True)
        utm_medium = CharField(max_length=255, null=True)
        utm_campaign = CharField(max_length=255, null=True)
        fbclid = CharField(max_length=255, null=True)
        gclid = CharField(max_length=255, null=True)
        ttclid = CharField(max_length=255, null=True)
        events = IntegerField(default=0)
        purchases = IntegerField(default=0)
        revenue = DecimalField(max_digits=16, decimal_places=2, default=0)
        converted = BooleanField(default=False)
        path = TextField(null=True)

        class Meta:
            table_name = "sessions"
            indexes = ((("app_id", "session_id"), True), (("app_id", "first_seen"), False))

    class RollupPath(Base):
        app_id = CharField(max_length=255)
        day = DateField()
        path = TextField()
        sessions = IntegerField(default=0)

        class Meta:
            table_name = "rollup_paths"
            indexes = ((("app_id", "day", "path"), True),)

    class RollupAttribution(Base):
        app_id = CharField(max_length=255)
        day = DateField()
        utm_source = CharField(max_length=255, default="")
        utm_medium = CharField(max_length=255, default="")
        utm_campaign = CharField(max_length=255, default="")
        sessions = IntegerField(default=0)
        purchases = IntegerField(default=0)
        converted = IntegerField(default=0)
        revenue = DecimalField(max_digits=16, decimal_places=2, default=0)

        class Meta:
            table_name = "rollup_attribution"
            indexes = ((("app_id", "day", "utm_source", "utm_medium", "utm_campaign"), True),)

    class SessionEvent(Base):
        app_id = CharField(max_length=255)
        session_id = CharField(max_length=64)
        event_name = CharField(max_length=64)
        first_at = DateTimeField()
        last_at = DateTimeField()
        events = IntegerField(default=0)

        class Meta:
            table_name = "session_events"
            indexes = (
                (("app_id", "session_id", "event_name"), True),
                (("app_id", "event_name", "first_at"), False),
            )

    class RollupDirtyDay(Base):
        app_id = CharField(max_length=255)
        day = DateField()

        class Meta:
            table_name = "rollup_dirty_days"
            indexes = ((("app_id", "day"), True),)

    class RollupState(Base):
        name = CharField(max_length=32, primary_key=True)
        last_event_id = BigIntegerField(default=0)
        updated_at = DateTimeField()

        class Meta:
            table_name = "rollup_state"

    return [
        RollupDaily,
        RollupHourly,
        RollupDimension,
        RollupPage,
        Session,
        SessionEvent,
        RollupPath,
        RollupAttribution,
        RollupDirtyDay,
        RollupState,
    ]


def up(migrator, db):  # type: ignore[no-untyped-def]
    migrator.migrate(
        migrator.add_column("shops", "iana_timezone", CharField(max_length=64, null=True)),
        migrator.add_index("events", ("app_id", "session_id"), unique=False),
    )
    db.create_tables(_frozen_models(db))


def down(migrator, db):  # type: ignore[no-untyped-def]
    db.drop_tables(_frozen_models(db))
    migrator.migrate(
        migrator.drop_index("events", "events_app_id_session_id"),
        migrator.drop_column("shops", "iana_timezone"),
    )
