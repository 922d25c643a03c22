"""Shops: a token version for compare-and-swap refreshes, and the storefront-config sync state."""

from peewee import DateTimeField, IntegerField, TextField

NEW_SHOP_COLUMNS = {
    # Bumped on every stored token pair, so a refresh only lands if no other one did first.
    "token_version": lambda: IntegerField(default=0),
    "config_synced_at": lambda: DateTimeField(null=True),
    "config_sync_pending_since": lambda: DateTimeField(null=True),
    "config_sync_error": lambda: TextField(null=True),
}


def up(migrator, db):  # type: ignore[no-untyped-def]
    migrator.migrate(
        *[migrator.add_column("shops", name, make()) for name, make in NEW_SHOP_COLUMNS.items()]
    )


def down(migrator, db):  # type: ignore[no-untyped-def]
    migrator.migrate(*[migrator.drop_column("shops", name) for name in NEW_SHOP_COLUMNS])
