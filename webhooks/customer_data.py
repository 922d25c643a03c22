"""One customer's data in one shop: finding it, exporting it, erasing it.

A customer's data is every event of their orders or carrying their customer id, plus the
storefront events of the same browsing sessions (they carry the same IP address and user agent),
plus any of their orders still waiting in the webhook inbox, plus earlier data-request exports.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

from peewee import Expression

from models import CustomerDataRequest, Event, WebhookDelivery, WebhookStatus, utcnow
from models.event_rows import delete_events
from shopify_app.analytics.rollups import forget_sessions

# Topics whose raw body names a customer (by order or by customer id) and holds their contact
# details. customers/redact is left out: the delivery being processed is one of them.
CUSTOMER_TOPICS = ("orders/create", "orders/paid", "customers/data_request")


def _event_condition(shop: str, customer_id: str | None, order_ids: list[str]) -> Expression | None:
    direct: Expression | None = None
    if order_ids:
        direct = Event.order_id.in_(order_ids)
    if customer_id:
        by_customer = Event.customer_id == customer_id
        direct = by_customer if direct is None else (direct | by_customer)
    if direct is None:
        return None
    sessions = sorted(
        {
            session
            for (session,) in Event.select(Event.session_id)
            .where((Event.app_id == shop) & direct & Event.session_id.is_null(False))
            .tuples()
        }
    )
    if sessions:
        direct = direct | Event.session_id.in_(sessions)
    return (Event.app_id == shop) & direct


def customer_events(shop: str, customer_id: str | None, order_ids: list[str]) -> list[Event]:
    """The customer's events in `shop`, oldest first."""
    condition = _event_condition(shop, customer_id, order_ids)
    if condition is None:
        return []
    return list(Event.select().where(condition).order_by(Event.created_at, Event.id))


def export(
    shop: str, customer_id: str | None, order_ids: list[str], request_id: str
) -> dict[str, Any]:
    """The JSON document a merchant hands to the customer for a data request."""
    events = customer_events(shop, customer_id, order_ids)
    return {
        "shop": shop,
        "data_request_id": request_id,
        "customer_id": customer_id,
        "orders_requested": order_ids,
        "generated_at": utcnow().isoformat() + "Z",
        "note": (
            "Sightline stores events (page views, custom events, purchases) with the technical "
            "details below. Email, phone and address are kept only as SHA-256 hashes "
            "(custom_data.user_data) for ad-platform matching."
        ),
        "events": [_jsonable_event(e) for e in events],
    }


def erase(shop: str, customer_id: str | None, order_ids: list[str]) -> dict[str, int]:
    """Delete the customer's data in `shop`; returns how many rows went from each table."""
    deleted = {"events": 0, "deliveries": 0, "webhook_deliveries": 0, "data_requests": 0}
    condition = _event_condition(shop, customer_id, order_ids)
    if condition is not None:
        ids = [pk for (pk,) in Event.select(Event.id).where(condition).tuples()]
        sessions = {s for (s,) in Event.select(Event.session_id).where(condition).tuples() if s}
        forget_sessions(shop, sorted(sessions))  # per-session report rows name landing pages
        gone = delete_events(ids, shop)  # with their deliveries and keys
        deleted["events"], deleted["deliveries"] = gone.events, gone.deliveries
    deleted["webhook_deliveries"] = _erase_waiting_orders(shop, customer_id, order_ids)
    if customer_id:
        deleted["data_requests"] = (
            CustomerDataRequest.delete()
            .where(
                (CustomerDataRequest.app_id == shop)
                & (CustomerDataRequest.customer_id == customer_id)
            )
            .execute()
        )
    return deleted


def _erase_waiting_orders(shop: str, customer_id: str | None, order_ids: list[str]) -> int:
    # Processed deliveries keep no body; failed or unprocessed ones still hold the raw payload,
    # with the customer's email and phone in clear.
    waiting = WebhookDelivery.select(WebhookDelivery.id, WebhookDelivery.body).where(
        (WebhookDelivery.app_id == shop)
        & (WebhookDelivery.status != WebhookStatus.PROCESSED)
        & WebhookDelivery.topic.in_(CUSTOMER_TOPICS)
    )
    doomed = [d.id for d in waiting if _belongs_to(d.body, customer_id, set(order_ids))]
    if not doomed:
        return 0
    return WebhookDelivery.delete().where(WebhookDelivery.id.in_(doomed)).execute()


def _belongs_to(body: str, customer_id: str | None, order_ids: set[str]) -> bool:
    try:
        payload = json.loads(body)
    except ValueError:
        return False
    if not isinstance(payload, dict):
        return False
    customer = payload.get("customer")
    owner = str(customer.get("id")) if isinstance(customer, dict) else None
    order_id = str(payload.get("id")) if "id" in payload else None
    return order_id in order_ids or (customer_id is not None and owner == customer_id)


def _jsonable_event(event: Event) -> dict[str, Any]:
    skip = {"id", "app_id"}
    return {
        field.name: _jsonable(getattr(event, field.name))
        for field in Event._meta.sorted_fields
        if field.name not in skip
    }


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float | bool | dict | list):
        return value
    if isinstance(value, dt.datetime):
        return value.isoformat() + "Z"
    if isinstance(value, Decimal):
        return str(value.quantize(Decimal("0.01")))  # money; SQLite hands back 59.8 for 59.80
    return str(value)  # IP addresses and anything else with a canonical text form
