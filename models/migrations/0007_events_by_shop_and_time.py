"""Index events by (shop, time): the admin's "first storefront event" and every per-shop time
range read it instead of scanning all shops' events."""


def up(migrator, db):  # type: ignore[no-untyped-def]
    migrator.migrate(migrator.add_index("events", ("app_id", "created_at"), unique=False))


def down(migrator, db):  # type: ignore[no-untyped-def]
    migrator.migrate(migrator.drop_index("events", "events_app_id_created_at"))
