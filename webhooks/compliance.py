"""The mandatory privacy-law topics: `shop/redact`, `customers/redact`, `customers/data_request`."""

from __future__ import annotations

from peewee import Database, Table

from models import CustomerDataRequest, Shop, ShopState, db, partitions
from models.schema import HISTORY_TABLE
from webhooks import customer_data
from webhooks.context import Delivery, Write
from webhooks.payload import identifier, identifiers, mapping, text

# Tables keyed by something other than app_id; every other table with an app_id column is
# found by looking at the schema, so tables added later are erased without touching this file.
SHOP_KEY_COLUMNS = {"shops": "domain"}


def redact_shop(delivery: Delivery) -> Write:
    """Delete every row of the shop, in every table (48 h after uninstall).

    Recorded and ignored while the shop has the app installed: Shopify only sends it after an
    uninstall, so for an installed shop it is a replay or a late retry after a reinstall, and
    must not erase a working installation's tokens and events.
    """
    tables = shop_tables(db.obj)

    def write() -> dict[str, int]:
        if installed_now(delivery.shop):
            return {}
        return delete_shop_rows(delivery.shop, tables)

    return write


def installed_now(shop: str) -> bool:
    return Shop.select().where((Shop.domain == shop) & (Shop.state == ShopState.INSTALLED)).exists()


def shop_tables(database: Database) -> list[tuple[str, str]]:
    """(table, column naming the shop) for every table that holds rows of a shop."""
    found = []
    for table in _tables_children_first(database):
        columns = {c.name for c in database.get_columns(table)}
        key = SHOP_KEY_COLUMNS.get(table) or ("app_id" if "app_id" in columns else None)
        if key is not None:
            found.append((table, key))
    return found


def delete_shop_rows(shop: str, tables: list[tuple[str, str]]) -> dict[str, int]:
    """Delete the shop's rows from `tables` (run in one transaction); counts by table."""
    counts = {}
    for name, key in tables:
        target = Table(name).bind(db.obj)
        counts[name] = target.delete().where(getattr(target.c, key) == shop).execute()
    return counts


def _tables_children_first(database: Database) -> list[str]:
    # Rows that reference other rows go first, so no foreign key is ever left dangling.
    # events' partitions are reached through events itself.
    skip = {HISTORY_TABLE, *partitions.child_tables(database)}
    tables = [t for t in database.get_tables() if t not in skip]
    has_parent = {t for t in tables if database.get_foreign_keys(t)}
    return sorted(tables, key=lambda t: (t not in has_parent, t))


def redact_customer(delivery: Delivery) -> Write:
    """Erase the customer's events (their orders and sessions), hashes and exports."""
    payload = delivery.payload
    customer_id = _customer_id(mapping(payload.get("customer")))
    orders = identifiers(payload.get("orders_to_redact"), "orders_to_redact")
    # Found and deleted in the write transaction: nothing written meanwhile can escape.
    return lambda: customer_data.erase(delivery.shop, customer_id, orders)


def record_data_request(delivery: Delivery) -> Write:
    """Assemble the customer's data and keep it for the merchant (admin API / page)."""
    payload = delivery.payload
    customer_id = _customer_id(mapping(payload.get("customer")))
    orders = identifiers(payload.get("orders_requested"), "orders_requested")
    request_id = text(mapping(payload.get("data_request")).get("id"), 64) or delivery.webhook_id
    document = customer_data.export(delivery.shop, customer_id, orders, request_id)
    upsert = CustomerDataRequest.insert(
        app_id=delivery.shop,
        request_id=request_id,
        customer_id=customer_id,
        orders_requested=orders,
        document=document,
    ).on_conflict(
        conflict_target=[CustomerDataRequest.app_id, CustomerDataRequest.request_id],
        update={
            CustomerDataRequest.customer_id: customer_id,
            CustomerDataRequest.orders_requested: orders,
            CustomerDataRequest.document: document,
        },
    )
    return upsert.execute


def _customer_id(customer: dict) -> str | None:  # type: ignore[type-arg]
    value = customer.get("id")
    return None if value is None else identifier(value, "customer id")
