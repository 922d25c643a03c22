"""Shopify's orders through the Admin GraphQL API, and the GraphQL order in the webhook's shape.

A day's orders are read with the paginated `orders` query (ids only); a missing order is then
read whole with `order(id:)` and converted to the REST payload `orders/paid` carries, so the
repair runs the webhook's own code (webhooks/orders.py) and stores the very same purchase.
Throttling and 5xx answers are retried by the shared client (shopify/graphql.py, transport.py).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from shopify_app.shopify.admin import admin_graphql

ORDER_GID = "gid://shopify/Order/"
PAGE_SIZE = 250  # Shopify's most per page
MAX_PAGES = 400  # 100 000 orders a day: a bound, so a looping cursor cannot spin forever

DAY_ORDERS_QUERY = """
query DayOrders($first: Int!, $after: String, $query: String!) {
  orders(first: $first, after: $after, query: $query, sortKey: CREATED_AT) {
    nodes { legacyResourceId createdAt }
    pageInfo { hasNextPage endCursor }
  }
}
"""

ORDER_QUERY = """
query OneOrder($id: ID!) {
  order(id: $id) {
    legacyResourceId name createdAt processedAt currencyCode test email phone clientIp
    displayFinancialStatus
    totalPriceSet { shopMoney { amount currencyCode } }
    customAttributes { key value }
    customer { id email phone firstName lastName }
    billingAddress { ...Address }
    shippingAddress { ...Address }
    lineItems(first: 250) {
      nodes {
        title sku quantity
        variant { id }
        product { id }
        originalUnitPriceSet { shopMoney { amount } }
      }
    }
    customerJourneySummary { firstVisit { landingPage referrerUrl } }
  }
}
fragment Address on MailingAddress {
  firstName lastName address1 city zip province provinceCode country countryCodeV2 phone
}
"""


def _stamp(moment: dt.datetime) -> str:
    return moment.replace(tzinfo=None).isoformat(timespec="seconds") + "Z"


def day_order_ids(
    shop: str, start: dt.datetime, end: dt.datetime, page_size: int = PAGE_SIZE
) -> list[str]:
    """Ids of the shop's orders created in [start, end) (naive UTC), every page read."""
    query = f"created_at:>='{_stamp(start)}' created_at:<'{_stamp(end)}'"
    ids: list[str] = []
    after: str | None = None
    for _ in range(MAX_PAGES):
        data = admin_graphql(
            shop, DAY_ORDERS_QUERY, {"first": page_size, "after": after, "query": query}
        )
        connection = data.get("orders") or {}
        ids.extend(str(node["legacyResourceId"]) for node in connection.get("nodes") or [])
        info = connection.get("pageInfo") or {}
        if not info.get("hasNextPage") or not info.get("endCursor"):
            return ids
        after = info["endCursor"]
    raise RuntimeError(f"orders of {shop}: more than {MAX_PAGES} pages")


def fetch_order(shop: str, order_id: str) -> dict[str, Any] | None:
    """The order as the webhook's REST payload; None when the shop has no such order."""
    data = admin_graphql(shop, ORDER_QUERY, {"id": f"{ORDER_GID}{order_id}"})
    node = data.get("order")
    if not isinstance(node, dict) or str(node.get("legacyResourceId")) != str(order_id):
        return None
    return rest_payload(node)


def _legacy(gid: Any) -> str | None:
    return gid.rsplit("/", 1)[-1] if isinstance(gid, str) and gid else None


def _address(node: Any) -> dict[str, Any] | None:
    if not isinstance(node, dict):
        return None
    return {
        "first_name": node.get("firstName"),
        "last_name": node.get("lastName"),
        "address1": node.get("address1"),
        "city": node.get("city"),
        "zip": node.get("zip"),
        "province": node.get("province"),
        "province_code": node.get("provinceCode"),
        "country": node.get("country"),
        "country_code": node.get("countryCodeV2"),
        "phone": node.get("phone"),
    }


def rest_payload(node: dict[str, Any]) -> dict[str, Any]:
    """A GraphQL order as the REST webhook payload (the fields webhooks/orders.py reads)."""
    money = (node.get("totalPriceSet") or {}).get("shopMoney") or {}
    customer = node.get("customer") if isinstance(node.get("customer"), dict) else None
    visit = (node.get("customerJourneySummary") or {}).get("firstVisit") or {}
    status = node.get("displayFinancialStatus")
    return {
        "id": int(node["legacyResourceId"]),
        "name": node.get("name"),
        "order_number": (node.get("name") or "").lstrip("#") or None,
        "created_at": node.get("createdAt"),
        "processed_at": node.get("processedAt"),
        "currency": node.get("currencyCode") or money.get("currencyCode"),
        "total_price": money.get("amount"),
        "financial_status": status.lower() if isinstance(status, str) else None,
        "test": node.get("test") is True,
        "email": node.get("email"),
        "phone": node.get("phone"),
        "browser_ip": node.get("clientIp"),
        "landing_site": visit.get("landingPage"),
        "referring_site": visit.get("referrerUrl"),
        "note_attributes": [
            {"name": a.get("key"), "value": a.get("value")}
            for a in node.get("customAttributes") or []
            if isinstance(a, dict)
        ],
        "client_details": {"browser_ip": node.get("clientIp")},
        "customer": {
            "id": _legacy(customer.get("id")),
            "email": customer.get("email"),
            "phone": customer.get("phone"),
            "first_name": customer.get("firstName"),
            "last_name": customer.get("lastName"),
        }
        if customer
        else None,
        "billing_address": _address(node.get("billingAddress")),
        "shipping_address": _address(node.get("shippingAddress")),
        "line_items": [
            {
                "product_id": _legacy((line.get("product") or {}).get("id")),
                "variant_id": _legacy((line.get("variant") or {}).get("id")),
                "sku": line.get("sku"),
                "title": line.get("title"),
                "quantity": line.get("quantity"),
                "price": ((line.get("originalUnitPriceSet") or {}).get("shopMoney") or {}).get(
                    "amount"
                ),
            }
            for line in (node.get("lineItems") or {}).get("nodes") or []
            if isinstance(line, dict)
        ],
    }
