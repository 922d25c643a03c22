"""Scroll triggers keep their depth; outbox rows keep the destination's event name."""

from peewee import CharField, SmallIntegerField


def up(migrator, db):  # type: ignore[no-untyped-def]
    migrator.migrate(
        migrator.add_column("custom_events", "scroll_depth", SmallIntegerField(null=True)),
        migrator.add_column("deliveries", "event_name", CharField(max_length=64, default="")),
    )


def down(migrator, db):  # type: ignore[no-untyped-def]
    migrator.migrate(
        migrator.drop_column("deliveries", "event_name"),
        migrator.drop_column("custom_events", "scroll_depth"),
    )
