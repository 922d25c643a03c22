"""Storefront ingest: a daily-salted visitor fingerprint, the shopper's marketing consent and
logged-in customer id on each event, and the table of daily fingerprint salts."""

from peewee import BooleanField, CharField, DateField, Model


def _frozen_salt_model(db):  # type: ignore[no-untyped-def]
    class FingerprintSalt(Model):
        day = DateField(primary_key=True)
        salt = CharField(max_length=64)

        class Meta:
            database = db
            table_name = "fingerprint_salts"

    return FingerprintSalt


def up(migrator, db):  # type: ignore[no-untyped-def]
    migrator.migrate(
        migrator.add_column("events", "fingerprint", CharField(max_length=32, null=True)),
        migrator.add_column("events", "marketing_consent", BooleanField(null=True)),
        migrator.add_column("events", "customer_id", CharField(max_length=32, null=True)),
    )
    db.create_tables([_frozen_salt_model(db)])


def down(migrator, db):  # type: ignore[no-untyped-def]
    db.drop_tables([_frozen_salt_model(db)])
    migrator.migrate(
        migrator.drop_column("events", "customer_id"),
        migrator.drop_column("events", "marketing_consent"),
        migrator.drop_column("events", "fingerprint"),
    )
