"""Purchases get ids no storefront client can send, and one purchase per order.

- Server-made event ids contain a `:` (`order:<id>`), a character the tracker's ids may not
  have, so a shopper can no longer take an order's id first (`order-<id>` could be sent as a
  page view's id and silently block the purchase).
- A partial unique index on (app_id, order_id) for `purchase` rows: whatever the event id, an
  order has one purchase. Partial indexes work alike on SQLite and PostgreSQL.
"""

from peewee import SQL, Table

INDEX = "events_purchase_order"


def up(migrator, db):  # type: ignore[no-untyped-def]
    events = Table("events").bind(db)
    # Existing webhook purchases move to the new format: a retried order webhook finds them.
    events.update({events.c.event_id: SQL("'order:' || order_id")}).where(
        (events.c.event_name == "purchase")
        & (events.c.source == "webhook")
        & events.c.order_id.is_null(False)
        & (events.c.event_id == SQL("'order-' || order_id"))
    ).execute()
    db.execute_sql(
        f'CREATE UNIQUE INDEX IF NOT EXISTS "{INDEX}" ON "events" ("app_id", "order_id") '
        "WHERE event_name = 'purchase'"
    )


def down(migrator, db):  # type: ignore[no-untyped-def]
    db.execute_sql(f'DROP INDEX IF EXISTS "{INDEX}"')
    events = Table("events").bind(db)
    events.update({events.c.event_id: SQL("'order-' || order_id")}).where(
        (events.c.event_name == "purchase")
        & (events.c.source == "webhook")
        & (events.c.event_id == SQL("'order:' || order_id"))
    ).execute()
