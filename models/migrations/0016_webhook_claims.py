"""Webhook deliveries are processed from a queue: acknowledging one is a single insert.

- `claimed_until`: a processor (the worker, or the serving process's own thread) claims rows
  for a short lease before processing them, so two never process one delivery; a process that
  dies holding a claim leaves it to expire, and the rows are claimed again without a manual
  step. A failed delivery gets a lease as its back-off before the next attempt.
- A partial index on the rows still to process: the claim query reads only those.
- PostgreSQL: a statement trigger NOTIFYs `sightline_webhooks` after each insert, so an idle
  worker (LISTEN) wakes at once; the acknowledgement itself stays one INSERT statement.
"""

from peewee import DateTimeField

from models.database import is_postgresql

INDEX = "webhook_deliveries_due"
CHANNEL = "sightline_webhooks"


def up(migrator, db):  # type: ignore[no-untyped-def]
    migrator.migrate(
        migrator.add_column("webhook_deliveries", "claimed_until", DateTimeField(null=True))
    )
    db.execute_sql(
        f'CREATE INDEX IF NOT EXISTS "{INDEX}" ON "webhook_deliveries" ("id") '
        "WHERE status IN ('received', 'failed')"
    )
    if is_postgresql(db):
        db.execute_sql(
            "CREATE OR REPLACE FUNCTION sightline_webhooks_notify() RETURNS trigger "
            f"LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_notify('{CHANNEL}', ''); RETURN NULL; END $$"
        )
        db.execute_sql(
            "CREATE TRIGGER sightline_webhooks_notify AFTER INSERT ON webhook_deliveries "
            "FOR EACH STATEMENT EXECUTE FUNCTION sightline_webhooks_notify()"
        )


def down(migrator, db):  # type: ignore[no-untyped-def]
    if is_postgresql(db):
        db.execute_sql("DROP TRIGGER IF EXISTS sightline_webhooks_notify ON webhook_deliveries")
        db.execute_sql("DROP FUNCTION IF EXISTS sightline_webhooks_notify()")
    db.execute_sql(f'DROP INDEX IF EXISTS "{INDEX}"')
    migrator.migrate(migrator.drop_column("webhook_deliveries", "claimed_until"))
