"""The seed's names and defaults.

- `events.page_url` → `url`, `events.event_data` → `custom_data`.
- `app_settings`: the seed's four toggles (`custom_events_enabled`, `track_pageviews`,
  `track_clicks`, `record_location`) beside `send_to_meta`. `tracking_enabled` goes; a shop that
  had it off gets all three tracking toggles off.
- The seed's defaults live in the database too, so a plain SQL insert gets them.
- Every shop's storefront config is marked for a rewrite: the tracker reads the new toggle names.
"""

import datetime as dt

from peewee import BooleanField, Table

from models.database import is_postgresql

# (table, column, SQLite literal, PostgreSQL literal)
DEFAULTS = [
    ("custom_events", "is_active", "1", "true"),
    ("custom_events", "page_type", "'all'", "'all'"),
    ("custom_events", "event_type", "'click'", "'click'"),
    ("custom_events", "event_data", "'{}'", "'{}'"),
    ("custom_events", "created_at", "(CURRENT_TIMESTAMP)", "(now() AT TIME ZONE 'utc')"),
    ("custom_events", "updated_at", "(CURRENT_TIMESTAMP)", "(now() AT TIME ZONE 'utc')"),
    ("app_settings", "custom_events_enabled", "1", "true"),
    ("app_settings", "track_pageviews", "1", "true"),
    ("app_settings", "track_clicks", "1", "true"),
    ("app_settings", "record_location", "1", "true"),
    ("app_settings", "send_to_meta", "0", "false"),
    ("app_settings", "created_at", "(CURRENT_TIMESTAMP)", "(now() AT TIME ZONE 'utc')"),
    ("app_settings", "updated_at", "(CURRENT_TIMESTAMP)", "(now() AT TIME ZONE 'utc')"),
    ("events", "custom_data", "'{}'", "'{}'"),
    ("events", "source", "'storefront'", "'storefront'"),
    ("events", "created_at", "(CURRENT_TIMESTAMP)", "(now() AT TIME ZONE 'utc')"),
]


def _set_defaults(migrator, db) -> None:  # type: ignore[no-untyped-def]
    for table, column, sqlite_literal, pg_literal in DEFAULTS:
        if is_postgresql(db):
            sql = f'ALTER TABLE "{table}" ALTER COLUMN "{column}" SET DEFAULT {pg_literal}'
            db.execute_sql(sql)
        else:
            # SQLite rebuilds the table to change a default (playhouse keeps rows and indexes).
            migrator.migrate(migrator.add_column_default(table, column, sqlite_literal))


def up(migrator, db):  # type: ignore[no-untyped-def]
    migrator.migrate(
        migrator.rename_column("events", "page_url", "url"),
        migrator.rename_column("events", "event_data", "custom_data"),
        migrator.rename_column("app_settings", "track_page_views", "track_pageviews"),
        migrator.add_column("app_settings", "custom_events_enabled", BooleanField(default=True)),
        migrator.add_column("app_settings", "track_clicks", BooleanField(default=True)),
    )
    settings = Table("app_settings").bind(db)
    tracking_off = {
        settings.c.custom_events_enabled: False,
        settings.c.track_pageviews: False,
        settings.c.track_clicks: False,
    }
    settings.update(tracking_off).where(settings.c.tracking_enabled == False).execute()  # noqa: E712
    migrator.migrate(migrator.drop_column("app_settings", "tracking_enabled"))
    _set_defaults(migrator, db)
    shops = Table("shops").bind(db)
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    shops.update({shops.c.config_sync_pending_since: now}).where(
        (shops.c.state == "installed") & shops.c.config_sync_pending_since.is_null()
    ).execute()


def down(migrator, db):  # type: ignore[no-untyped-def]
    migrator.migrate(
        migrator.add_column("app_settings", "tracking_enabled", BooleanField(default=True)),
    )
    settings = Table("app_settings").bind(db)
    all_off = (
        (settings.c.custom_events_enabled == False)  # noqa: E712
        & (settings.c.track_pageviews == False)  # noqa: E712
        & (settings.c.track_clicks == False)  # noqa: E712
    )
    settings.update({settings.c.tracking_enabled: False}).where(all_off).execute()
    migrator.migrate(
        migrator.drop_column("app_settings", "track_clicks"),
        migrator.drop_column("app_settings", "custom_events_enabled"),
        migrator.rename_column("app_settings", "track_pageviews", "track_page_views"),
        migrator.rename_column("events", "custom_data", "event_data"),
        migrator.rename_column("events", "url", "page_url"),
    )
