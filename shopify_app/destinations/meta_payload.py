"""One stored event as a Conversions API server event, exactly in Meta's format.

Hashed identifiers were hashed when the event was stored (`webhooks/identity.py`, by Meta's
normalisation), so here they are only checked to be SHA-256 and copied; the shopper's id is
hashed here. `client_ip_address`, `client_user_agent`, `fbp` and `fbc` go as they are, and `fbc`
is built from `fbclid` when the `_fbc` cookie was missing (Meta's documented fallback; `fbclid`
keeps its case).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from decimal import Decimal
from typing import Any

from models import Event
from shopify_app.destinations.meta_normalize import HASHED_FIELDS, sha256

# The columns a server event is built from: the loop reads only these (no model instances).
PAYLOAD_COLUMNS = (
    Event.id,
    Event.app_id,
    Event.event_id,
    Event.created_at,
    Event.url,
    Event.user_agent,
    Event.ip_address,
    Event.fbp,
    Event.fbc,
    Event.fbclid,
    Event.customer_id,
    Event.order_id,
    Event.value,
    Event.currency,
    Event.custom_data,
)

SHA256_HEX = re.compile(r"^[a-f0-9]{64}$")
# Keys of an event's stored data that are ours, not the shopper's action: never sent as-is.
INTERNAL_KEYS = frozenset({"user_data", "line_items", "topic", "test", "financial_status"})
STANDARD_CUSTOM_KEYS = (
    "content_ids",
    "contents",
    "content_type",
    "content_name",
    "content_category",
    "num_items",
    "order_id",
    "search_string",
    "status",
    "predicted_ltv",
)
MAX_AGE = dt.timedelta(days=7)


def event_time(event: Any) -> int:
    return int(event.created_at.replace(tzinfo=dt.UTC).timestamp())


def too_old(event: Any, now: dt.datetime, margin: dt.timedelta = dt.timedelta(minutes=1)) -> bool:
    """Meta refuses a whole request with an event older than 7 days; keep a margin for transit."""
    return event.created_at < now - MAX_AGE + margin


def server_event(event: Any, event_name: str) -> dict[str, Any]:
    """The `data[]` entry for `event` (an Event, or a row of PAYLOAD_COLUMNS), sent as Meta's
    `event_name`."""
    stored = event.custom_data if isinstance(event.custom_data, dict) else {}
    user = user_data(event, stored)
    payload: dict[str, Any] = {
        "event_name": event_name,
        "event_time": event_time(event),
        "event_id": meta_event_id(event, event_name),
        # Meta requires a user agent for `website` events; an order placed without one (a
        # draft order, say) is the shop's own system speaking.
        "action_source": "website" if user.get("client_user_agent") else "system_generated",
        "event_source_url": event.url or f"https://{event.app_id}/",
        "user_data": user,
    }
    custom = custom_data(event, stored)
    if custom:
        payload["custom_data"] = custom
    return payload


def meta_event_id(event: Any, event_name: str) -> str:
    """Every Purchase of an order carries the order's id, `order:<id>` (the order webhook's
    purchase id, webhooks/orders.py `purchase_event_id`), whichever copy it is: the webhook's,
    or the web pixel's `checkout_completed`. Meta then counts one Purchase per order."""
    if event_name == "Purchase" and event.order_id:
        return f"order:{event.order_id}"
    return event.event_id


def user_data(event: Any, stored: dict[str, Any]) -> dict[str, Any]:
    user: dict[str, Any] = {}
    hashed = stored.get("user_data") if isinstance(stored.get("user_data"), dict) else {}
    for key in HASHED_FIELDS:
        value = hashed.get(key)
        if isinstance(value, str) and SHA256_HEX.match(value):
            user[key] = value
    if "external_id" not in user and event.customer_id:
        user["external_id"] = sha256(str(event.customer_id))
    if event.ip_address:
        user["client_ip_address"] = str(event.ip_address)
    if event.user_agent:
        user["client_user_agent"] = event.user_agent
    if event.fbp:
        user["fbp"] = event.fbp
    fbc = event.fbc or _fbc_from_click_id(event)
    if fbc:
        user["fbc"] = fbc
    return user


def _fbc_from_click_id(event: Any) -> str | None:
    if not event.fbclid:
        return None
    clicked_ms = int(event.created_at.replace(tzinfo=dt.UTC).timestamp() * 1000)
    return f"fb.1.{clicked_ms}.{event.fbclid}"


def custom_data(event: Any, stored: dict[str, Any]) -> dict[str, Any]:
    """value, currency, contents, order id, then the event's own data (never ours)."""
    custom: dict[str, Any] = {
        key: _jsonable(value)
        for key, value in stored.items()
        if key not in INTERNAL_KEYS and key != "value" and key != "currency"
    }
    if event.value is not None:
        custom["value"] = float(event.value)
    if event.currency:
        custom["currency"] = event.currency.upper()
    items = stored.get("line_items")
    if isinstance(items, list) and items:
        contents = [_content(item) for item in items if isinstance(item, dict)]
        contents = [c for c in contents if c["id"]]
        if contents:
            custom["contents"] = contents
            custom["content_ids"] = [c["id"] for c in contents]
            custom["content_type"] = "product"
            custom["num_items"] = sum(c["quantity"] for c in contents)
    if isinstance(stored.get("num_items"), int):
        custom.setdefault("num_items", stored["num_items"])
    if event.order_id:
        custom["order_id"] = str(event.order_id)
    return custom


def _content(item: dict[str, Any]) -> dict[str, Any]:
    content: dict[str, Any] = {
        "id": str(item.get("product_id") or item.get("sku") or item.get("variant_id") or ""),
        "quantity": item["quantity"] if isinstance(item.get("quantity"), int) else 1,
    }
    with contextlib.suppress(ArithmeticError, ValueError):  # a price we cannot read: none
        content["item_price"] = float(Decimal(str(item.get("price"))))
    return content


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return value
