"""Shops count changes to their storefront config, so a sync that wrote an outdated config
(another process changed it meanwhile) knows it must write again."""

from peewee import IntegerField


def up(migrator, db):  # type: ignore[no-untyped-def]
    migrator.migrate(migrator.add_column("shops", "config_version", IntegerField(default=0)))


def down(migrator, db):  # type: ignore[no-untyped-def]
    migrator.migrate(migrator.drop_column("shops", "config_version"))
