"""The shop's orders, as Shopify holds them: the source the Admin API's `orders` and `order(id:)`
read, whether or not a webhook ever told the app about them.

`POST /_devstore/shops/<shop>/orders` makes an order (the REST shape webhooks carry, built by
devstore/webhooks.py) and, unless `"send_webhook": false`, sends its `orders/paid` webhook, so a
test can leave an order only in the store. `POST .../orders/<id>/webhook` sends it later (a late
webhook). The GraphQL rendering of an order lives here too, beside the data it renders.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from flask import Blueprint, current_app, jsonify, request

from devstore import webhooks
from devstore.state import DevstoreState

bp = Blueprint("devstore_orders", __name__)

ORDER_GID = "gid://shopify/Order/"
MAX_PAGE = 250  # Shopify's most per page
_CREATED = re.compile(r"created_at:(>=|<=|>|<)'?([0-9T:+\-.Z]+)'?")


def _state() -> DevstoreState:
    return current_app.extensions["devstore"]


def _orders(state: DevstoreState, shop: str) -> dict[int, dict[str, Any]]:
    with state.lock:
        return state.section("orders").setdefault(shop, {})


def add_order(state: DevstoreState, shop: str, order: dict[str, Any]) -> None:
    with state.lock:
        _orders(state, shop)[int(order["id"])] = order


def _parse_time(value: str) -> dt.datetime:
    stamp = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=dt.UTC)


def _matches(order: dict[str, Any], query: str | None) -> bool:
    """Shopify's search syntax, the part a day's reconciliation uses: created_at bounds."""
    if not query:
        return True
    created = _parse_time(order["created_at"])
    for op, raw in _CREATED.findall(query):
        bound = _parse_time(raw)
        ok = {
            ">=": created >= bound,
            ">": created > bound,
            "<=": created <= bound,
            "<": created < bound,
        }[op]
        if not ok:
            return False
    return True


def orders_connection(
    state: DevstoreState, shop: str, first: int | None, after: str | None, query: str | None
) -> dict[str, Any]:
    """One page of the shop's orders (oldest first); the cursor is the last order's id."""
    with state.lock:
        found = sorted(
            (o for o in _orders(state, shop).values() if _matches(o, query)),
            key=lambda o: (o["created_at"], o["id"]),
        )
    if after:
        ids = [str(o["id"]) for o in found]
        found = found[ids.index(after) + 1 :] if after in ids else []
    size = min(max(first or 50, 1), MAX_PAGE)
    page, more = found[:size], len(found) > size
    return {
        "edges": [{"cursor": str(o["id"]), "node": graphql_order(shop, o)} for o in page],
        "nodes": [graphql_order(shop, o) for o in page],
        "pageInfo": {"hasNextPage": more, "endCursor": str(page[-1]["id"]) if page else None},
    }


def find_order(state: DevstoreState, shop: str, gid: str) -> dict[str, Any] | None:
    """`order(id:)`: only the shop's own orders; another shop's id answers null."""
    if not gid.startswith(ORDER_GID) or not gid[len(ORDER_GID) :].isdigit():
        return None
    with state.lock:
        order = _orders(state, shop).get(int(gid[len(ORDER_GID) :]))
    return graphql_order(shop, order) if order else None


def _money(amount: Any, currency: str) -> dict[str, Any]:
    return {"shopMoney": {"amount": str(amount), "currencyCode": currency}}


def _address(address: dict[str, Any] | None) -> dict[str, Any] | None:
    if not address:
        return None
    return {
        "firstName": address.get("first_name"),
        "lastName": address.get("last_name"),
        "address1": address.get("address1"),
        "city": address.get("city"),
        "zip": address.get("zip"),
        "province": address.get("province"),
        "provinceCode": address.get("province_code"),
        "country": address.get("country"),
        "countryCodeV2": address.get("country_code"),
        "phone": address.get("phone"),
    }


def graphql_order(shop: str, order: dict[str, Any]) -> dict[str, Any]:
    """The REST order in the Admin GraphQL API's shape (the fields Sightline asks for)."""
    currency = order["currency"]
    customer = order.get("customer") or None
    landing = order.get("landing_site")
    lines = [
        {
            "title": line.get("title"),
            "sku": line.get("sku"),
            "quantity": line.get("quantity", 1),
            "variant": {"id": f"gid://shopify/ProductVariant/{line['variant_id']}"}
            if line.get("variant_id")
            else None,
            "product": {"id": f"gid://shopify/Product/{line['product_id']}"}
            if line.get("product_id")
            else None,
            "originalUnitPriceSet": _money(line.get("price", "0.00"), currency),
        }
        for line in order.get("line_items") or []
    ]
    return {
        "id": f"{ORDER_GID}{order['id']}",
        "legacyResourceId": str(order["id"]),
        "name": order.get("name", ""),
        "createdAt": order["created_at"],
        "processedAt": order.get("processed_at") or order["created_at"],
        "currencyCode": currency,
        "totalPriceSet": _money(order["total_price"], currency),
        "displayFinancialStatus": str(order.get("financial_status") or "").upper() or None,
        "test": bool(order.get("test")),
        "email": order.get("email"),
        "phone": order.get("phone"),
        "clientIp": order.get("browser_ip"),
        "customAttributes": [
            {"key": a["name"], "value": a.get("value")} for a in order.get("note_attributes") or []
        ],
        "customer": {
            "id": f"gid://shopify/Customer/{customer['id']}",
            "email": customer.get("email"),
            "phone": customer.get("phone"),
            "firstName": customer.get("first_name"),
            "lastName": customer.get("last_name"),
        }
        if customer
        else None,
        "billingAddress": _address(order.get("billing_address")),
        "shippingAddress": _address(order.get("shipping_address")),
        "lineItems": lambda _info, first=None: {"nodes": lines[:first] if first else lines},
        "customerJourneySummary": {
            "firstVisit": {
                "landingPage": f"https://{shop}{landing}"
                if landing and landing.startswith("/")
                else landing,
                "referrerUrl": order.get("referring_site"),
            }
        },
    }


# ---- controls for tests and demos ----------------------------------------------------------


@bp.post("/_devstore/shops/<shop>/orders")
def create_order(shop: str):  # type: ignore[no-untyped-def]
    """Make an order: {"order": {builder overrides}, "created_at": ISO, "send_webhook": bool}."""
    spec = request.get_json(silent=True)
    if not isinstance(spec, dict):
        spec = {}
    overrides = spec.get("order") or {}
    if not isinstance(overrides, dict):
        return jsonify(error="order must be an object of builder fields"), 400
    try:
        order = webhooks.order(shop, **overrides)
    except TypeError as exc:
        return jsonify(error=str(exc)), 400
    if spec.get("created_at"):
        try:
            stamp = _parse_time(str(spec["created_at"])).astimezone(dt.UTC)
        except ValueError:
            return jsonify(error="created_at must be an ISO 8601 time"), 400
        order["created_at"] = order["processed_at"] = stamp.isoformat()
    state = _state()
    add_order(state, shop, order)
    sent = None
    if spec.get("send_webhook", True):
        sent = _send(state, shop, order)
    return jsonify(order=order, webhook_status=sent), 201


@bp.post("/_devstore/shops/<shop>/orders/<int:order_id>/webhook")
def send_order_webhook(shop: str, order_id: int):  # type: ignore[no-untyped-def]
    """Send a stored order's `orders/paid` webhook now (a webhook arriving late)."""
    state = _state()
    with state.lock:
        order = _orders(state, shop).get(order_id)
    if order is None:
        return jsonify(error="no such order"), 404
    return jsonify(webhook_status=_send(state, shop, order))


def _send(state: DevstoreState, shop: str, order: dict[str, Any]) -> int:
    config = state.config
    return webhooks.send(
        config.app_url, "orders/paid", shop, order, secret=config.api_secret
    ).status
