"""Meta Conversions API delivery: claims and answers on the outbox, per-shop Meta options
(test event code, consent policy, browser pixel, pause), and on PostgreSQL a NOTIFY on every
insert into `deliveries`, so idle workers wake at once instead of polling."""

from peewee import SQL, BooleanField, CharField, DateTimeField, IntegerField, TextField

NOTIFY_FUNCTION = """
CREATE OR REPLACE FUNCTION sightline_deliveries_notify() RETURNS trigger AS $$
BEGIN
  PERFORM pg_notify('sightline_deliveries', '');
  RETURN NULL;
END;
$$ LANGUAGE plpgsql
"""
NOTIFY_TRIGGER = (
    "CREATE TRIGGER deliveries_notify AFTER INSERT ON deliveries "
    "FOR EACH STATEMENT EXECUTE FUNCTION sightline_deliveries_notify()"
)


def _is_postgresql(db) -> bool:  # type: ignore[no-untyped-def]
    return type(db).__name__.endswith("PostgresqlDatabase")


def up(migrator, db):  # type: ignore[no-untyped-def]
    migrator.migrate(
        migrator.add_column("deliveries", "claim_token", CharField(max_length=32, null=True)),
        migrator.add_column("deliveries", "fbtrace_id", CharField(max_length=64, null=True)),
        migrator.add_column("deliveries", "error_code", IntegerField(null=True)),
        migrator.add_column("deliveries", "events_received", IntegerField(null=True)),
        migrator.add_index("deliveries", ("app_id", "created_at"), False),
        migrator.add_column("app_settings", "test_event_code", CharField(max_length=64, null=True)),
        migrator.add_column(
            "app_settings",
            "consent_when_unknown",
            # Defaults in the database too, as the seed's columns have them (0009).
            CharField(max_length=16, default="by_region", constraints=[SQL("DEFAULT 'by_region'")]),
        ),
        migrator.add_column(
            "app_settings",
            "meta_browser_pixel",
            BooleanField(default=False, constraints=[SQL("DEFAULT false")]),
        ),
        migrator.add_column(
            "app_settings",
            "meta_page_views",
            BooleanField(default=False, constraints=[SQL("DEFAULT false")]),
        ),
        migrator.add_column("app_settings", "meta_paused_at", DateTimeField(null=True)),
        migrator.add_column("app_settings", "meta_pause_reason", TextField(null=True)),
    )
    if _is_postgresql(db):
        db.execute_sql(NOTIFY_FUNCTION)
        db.execute_sql(NOTIFY_TRIGGER)


def down(migrator, db):  # type: ignore[no-untyped-def]
    if _is_postgresql(db):
        db.execute_sql("DROP TRIGGER IF EXISTS deliveries_notify ON deliveries")
        db.execute_sql("DROP FUNCTION IF EXISTS sightline_deliveries_notify()")
    migrator.migrate(
        migrator.drop_column("app_settings", "meta_pause_reason"),
        migrator.drop_column("app_settings", "meta_paused_at"),
        migrator.drop_column("app_settings", "meta_page_views"),
        migrator.drop_column("app_settings", "meta_browser_pixel"),
        migrator.drop_column("app_settings", "consent_when_unknown"),
        migrator.drop_column("app_settings", "test_event_code"),
        migrator.drop_index("deliveries", "deliveries_app_id_created_at"),
        migrator.drop_column("deliveries", "events_received"),
        migrator.drop_column("deliveries", "error_code"),
        migrator.drop_column("deliveries", "fbtrace_id"),
        migrator.drop_column("deliveries", "claim_token"),
    )
