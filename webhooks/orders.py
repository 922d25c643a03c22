"""`orders/create` and `orders/paid` → one `purchase` event per order, attributed and enriched.

The purchase's event id is `order:<id>`. Storefront ids may not contain `:` (ingest refuses
them), so no shopper can send an event that takes an order's id first; and since every purchase
of an order is stored under that id, which is stored once per shop, an order has one purchase
(the writer refuses a purchase under any other id). A retry or the order's other topic finds its
purchase already stored, which is the idempotent case; an insert ignored for any other reason is
a conflict, raised as an error (the delivery stays failed and visible), never silently dropped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from models import Event, utcnow
from shopify_app.destinations.consent import may_send
from shopify_app.ingest.enrich import enrich
from shopify_app.ingest.writer import NewEvent, purchase_event_id, write_batches, write_events
from webhooks.attribution import attribution, marketing_consent, note_attributes
from webhooks.context import Delivery, Write
from webhooks.identity import user_data
from webhooks.payload import PayloadError, identifier, mapping, money, text, timestamp
from webhooks.shop_facts import facts

PURCHASE = "purchase"  # as the writer's
# Topics whose deliveries the inbox processes in batches (their writes are PurchaseWrites).
BATCHED_TOPICS = frozenset({"orders/create", "orders/paid"})
META_PURCHASE = "Purchase"


class PurchaseConflictError(RuntimeError):
    """The order's purchase could not be stored and is not there: something else holds its id."""


def record_purchase(delivery: Delivery) -> Write | None:
    """Store the order's purchase once (and queue Meta's Purchase when the shop sends to Meta)."""
    order = delivery.payload
    order_id = identifier(order.get("id"), "order id")
    shop = facts(delivery.shop)
    if shop.uninstalled:
        return None  # a late retry after uninstall: the merchant no longer wants us to record
    currency = text(order.get("currency"), 8)
    if not currency or len(currency) != 3 or not currency.isalpha():
        raise PayloadError("order currency is missing or not an ISO 4217 code")
    value = money(order.get("total_price"), "order total_price")
    ordered_at = (
        timestamp(order.get("processed_at")) or timestamp(order.get("created_at")) or utcnow()
    )
    attributes = note_attributes(order)
    landing_url = _landing_url(delivery.shop, text(order.get("landing_site"), 2048))
    client = mapping(order.get("client_details"))
    consent = marketing_consent(attributes)
    record_location = shop.record_location
    found = enrich(
        text(client.get("user_agent"), 2048),
        text(order.get("browser_ip")) or text(client.get("browser_ip")),
        record_location=True if record_location is None else bool(record_location),
        geoip_city_db=delivery.geoip_city_db,
    )
    customer = mapping(order.get("customer"))
    columns: dict[str, Any] = {
        "source": "webhook",
        "order_id": order_id,
        "value": value,
        "currency": currency.upper(),
        "url": landing_url,
        "referrer": text(order.get("referring_site"), 2048),
        "user_agent": text(client.get("user_agent"), 2048),
        "ip_address": found["ip_address"],
        "device_type": found["device_type"],
        "browser": found["browser"],
        "country": found["country"],
        "city": found["city"],
        "created_at": ordered_at,
        "marketing_consent": consent,
        "customer_id": _optional_id(customer.get("id")),
        "custom_data": _custom_data(order, delivery.topic),
        **attribution(attributes, landing_url, ordered_at),
    }
    purchase = NewEvent(
        event_id=purchase_event_id(order_id),
        event_name=PURCHASE,
        columns=columns,
        meta_event_name=META_PURCHASE,
        # An explicit choice wins; without one the shop's policy decides (by the order's country).
        marketing_consent=may_send(consent, shop.consent_when_unknown, _order_country(order)),
    )
    return PurchaseWrite(delivery.shop, order_id, purchase)


@dataclass(frozen=True)
class PurchaseWrite:
    """An order's write: its purchase. Called alone, or stored with others (`store_purchases`)."""

    shop: str
    order_id: str
    purchase: NewEvent

    def __call__(self) -> None:
        store_purchase(self.shop, self.order_id, self.purchase)


def store_purchases(writes: Sequence[object]) -> None:
    """Many orders' writes in one multi-row INSERT (in the caller's transaction); a purchase
    that was not new goes through `store_purchase`, which tells a retry from a conflict."""
    purchases: dict[tuple[str, str], PurchaseWrite] = {}
    for write in writes:
        if isinstance(write, PurchaseWrite):  # one per order: create and paid share an id
            purchases.setdefault((write.shop, write.purchase.event_id), write)
        elif write is not None:
            write()  # type: ignore[operator]
    chosen = list(purchases.values())
    new = write_batches([(w.shop, [w.purchase]) for w in chosen])
    for write, new_ids in zip(chosen, new, strict=True):
        if not new_ids:
            write()


def store_purchase(shop: str, order_id: str, purchase: NewEvent) -> None:
    """Insert the purchase, or find the order's purchase already stored (a retry, or the
    order's other topic); else raise PurchaseConflictError."""
    if write_events(shop, [purchase]):
        return
    stored = (
        Event.select(Event.event_id)
        .where(
            (Event.app_id == shop) & (Event.event_name == PURCHASE) & (Event.order_id == order_id)
        )
        .scalar()
    )
    if stored is None:
        raise PurchaseConflictError(
            f"purchase of order {order_id} not stored: another event holds {purchase.event_id}"
        )


def _order_country(order: dict[str, Any]) -> str | None:
    for key in ("billing_address", "shipping_address"):
        country = text(mapping(order.get(key)).get("country_code"), 2)
        if country:
            return country
    return None


def _landing_url(shop: str, landing_site: str | None) -> str | None:
    # Shopify gives the path the shopper landed on ("/products/x?utm_source=..."); the shop's
    # own domain is the best host we know for it.
    if not landing_site:
        return None
    if landing_site.startswith("/"):
        return f"https://{shop}{landing_site}"
    return landing_site


def _optional_id(value: Any) -> str | None:
    try:
        return identifier(value, "customer id")
    except PayloadError:
        return None


def _custom_data(order: dict[str, Any], topic: str) -> dict[str, Any]:
    """What reports and the Conversions API need beyond the columns: items and matching keys."""
    items = []
    for line in order.get("line_items") or []:
        if not isinstance(line, dict):
            continue
        items.append(
            {
                "product_id": text(line.get("product_id"), 32),
                "variant_id": text(line.get("variant_id"), 32),
                "sku": text(line.get("sku")),
                "title": text(line.get("title")),
                "quantity": line.get("quantity") if isinstance(line.get("quantity"), int) else 1,
                "price": text(line.get("price"), 32),
            }
        )
    return {
        "order_name": text(order.get("name"), 64),
        "order_number": text(order.get("order_number"), 32),
        "financial_status": text(order.get("financial_status"), 32),
        "test": order.get("test") is True,
        "topic": topic,
        "line_items": items,
        "num_items": sum(item["quantity"] for item in items),
        "user_data": user_data(order),
    }
