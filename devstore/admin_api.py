"""The Admin GraphQL API subset Sightline uses, executed by graphql-core against a real schema.

Supported: `shop` (with `ianaTimezone`), `currentAppInstallation { id metafield(...)
metafields(...) }`, `metafieldsSet`, `orders(first, after, query)` / `order(id:)` over
devstore's orders (devstore/orders.py), and the web pixel's `webPixel`, `webPixelCreate` and
`webPixelUpdate` (devstore.web_pixels). Requests need a live access token (401 with Shopify's
body otherwise). Tests can queue faults per shop (THROTTLED, HTTP 429 with Retry-After,
HTTP 503, a GraphQL error) and set the shop's time zone.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from flask import Blueprint, current_app, jsonify, request
from graphql import build_schema, graphql_sync

from devstore import orders, web_pixels
from devstore.oauth import access_token_shop
from devstore.state import DevstoreState

bp = Blueprint("devstore_admin_api", __name__)

SCHEMA = build_schema(
    """
    type Query {
      shop: Shop!
      currentAppInstallation: AppInstallation!
      orders(first: Int, after: String, query: String, sortKey: OrderSortKeys): OrderConnection!
      order(id: ID!): Order
      webPixel(id: ID): WebPixel
    }
    type Mutation {
      metafieldsSet(metafields: [MetafieldsSetInput!]!): MetafieldsSetPayload
      webPixelCreate(webPixel: WebPixelInput!): WebPixelCreatePayload
      webPixelUpdate(id: ID!, webPixel: WebPixelInput!): WebPixelUpdatePayload
    }
    scalar JSON
    type WebPixel { id: ID! settings: JSON! }
    input WebPixelInput { settings: JSON! }
    type ErrorsWebPixelUserError { field: [String!] message: String! code: String }
    type WebPixelCreatePayload { webPixel: WebPixel userErrors: [ErrorsWebPixelUserError!]! }
    type WebPixelUpdatePayload { webPixel: WebPixel userErrors: [ErrorsWebPixelUserError!]! }
    type Shop { id: ID! name: String! myshopifyDomain: String! ianaTimezone: String! }
    type AppInstallation {
      id: ID!
      metafield(namespace: String, key: String!): Metafield
      metafields(namespace: String, first: Int): MetafieldConnection!
    }
    type Metafield {
      id: ID!
      namespace: String!
      key: String!
      type: String!
      value: String!
      updatedAt: String!
    }
    type MetafieldConnection { nodes: [Metafield!]! }
    enum OrderSortKeys { CREATED_AT PROCESSED_AT ID }
    type OrderConnection { edges: [OrderEdge!]! nodes: [Order!]! pageInfo: PageInfo! }
    type OrderEdge { cursor: String! node: Order! }
    type PageInfo { hasNextPage: Boolean! endCursor: String }
    type Order {
      id: ID!
      legacyResourceId: String!
      name: String!
      createdAt: String!
      processedAt: String!
      currencyCode: String!
      totalPriceSet: MoneyBag!
      displayFinancialStatus: String
      test: Boolean!
      email: String
      phone: String
      clientIp: String
      customAttributes: [Attribute!]!
      customer: Customer
      billingAddress: MailingAddress
      shippingAddress: MailingAddress
      lineItems(first: Int): LineItemConnection!
      customerJourneySummary: CustomerJourneySummary
    }
    type MoneyBag { shopMoney: MoneyV2! }
    type MoneyV2 { amount: String! currencyCode: String! }
    type Attribute { key: String! value: String }
    type Customer { id: ID! email: String phone: String firstName: String lastName: String }
    type MailingAddress {
      firstName: String
      lastName: String
      address1: String
      city: String
      zip: String
      province: String
      provinceCode: String
      country: String
      countryCodeV2: String
      phone: String
    }
    type LineItemConnection { nodes: [LineItem!]! }
    type LineItem {
      title: String
      sku: String
      quantity: Int!
      variant: ProductVariant
      product: Product
      originalUnitPriceSet: MoneyBag!
    }
    type ProductVariant { id: ID! }
    type Product { id: ID! }
    type CustomerJourneySummary { firstVisit: CustomerVisit }
    type CustomerVisit { landingPage: String referrerUrl: String }
    input MetafieldsSetInput {
      ownerId: ID!
      namespace: String
      key: String!
      type: String
      value: String!
      compareDigest: String
    }
    type MetafieldsSetUserError { field: [String!] message: String! code: String }
    type MetafieldsSetPayload {
      metafields: [Metafield!]
      userErrors: [MetafieldsSetUserError!]!
    }
    """
)

INVALID_TOKEN_BODY = {
    "errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"
}
MAX_METAFIELDS_PER_CALL = 25
QUERY_COST = 10.0
BUCKET = {"maximumAvailable": 2000.0, "currentlyAvailable": 1990.0, "restoreRate": 100.0}


def _state() -> DevstoreState:
    return current_app.extensions["devstore"]


def installation_id(shop: str) -> str:
    number = int(hashlib.sha256(shop.encode()).hexdigest()[:12], 16)
    return f"gid://shopify/AppInstallation/{number}"


def shop_metafields(state: DevstoreState, shop: str) -> dict[tuple[str, str], dict[str, Any]]:
    """The app installation's metafields, keyed by (namespace, key); emptied on uninstall."""
    with state.lock:
        return state.section("admin_api").setdefault(shop, {"metafields": {}})["metafields"]


def read_metafield(state: DevstoreState, shop: str, namespace: str, key: str) -> dict | None:
    with state.lock:
        record = shop_metafields(state, shop).get((namespace, key))
        return dict(record) if record else None


DEFAULT_TIMEZONE = "UTC"


def shop_timezone(state: DevstoreState, shop: str) -> str:
    """The shop's IANA zone (`shop.ianaTimezone`); set it with the timezone control."""
    with state.lock:
        return state.section("shop_timezones").get(shop, DEFAULT_TIMEZONE)


def queue_fault(state: DevstoreState, shop: str, fault: dict[str, Any]) -> None:
    with state.lock:
        state.section("admin_api_faults").setdefault(shop, []).append(fault)


def _next_fault(state: DevstoreState, shop: str) -> dict[str, Any] | None:
    with state.lock:
        queue = state.section("admin_api_faults").get(shop) or []
        return queue.pop(0) if queue else None


def _cost(available: float = BUCKET["currentlyAvailable"]) -> dict[str, Any]:
    status = {**BUCKET, "currentlyAvailable": available}
    return {
        "cost": {
            "requestedQueryCost": QUERY_COST,
            "actualQueryCost": None,
            "throttleStatus": status,
        }
    }


def _fault_response(fault: dict[str, Any]):  # type: ignore[no-untyped-def]
    kind = fault.get("kind")
    if kind == "throttled":
        body = {
            "errors": [
                {
                    "message": "Throttled",
                    "extensions": {
                        "code": "THROTTLED",
                        "documentation": "https://shopify.dev/api/usage/rate-limits",
                    },
                }
            ],
            "extensions": _cost(available=5.0),
        }
        return jsonify(body), 200
    if kind == "http":
        status = int(fault.get("status", 503))
        headers = {"Retry-After": str(fault["retry_after"])} if "retry_after" in fault else {}
        return (
            jsonify(
                errors="Exceeded 2 calls per second for api client."
                if status == 429
                else "Service unavailable"
            ),
            status,
            headers,
        )
    return jsonify(
        errors=[
            {
                "message": fault.get(
                    "message", "Internal error. Looks like something went wrong on our end."
                )
            }
        ]
    ), 200


@bp.post("/<shop>/admin/api/<version>/graphql.json")
def graphql_endpoint(shop: str, version: str):  # type: ignore[no-untyped-def]
    state = _state()
    token = request.headers.get("X-Shopify-Access-Token", "")
    if not token or access_token_shop(state, token) != shop:
        return jsonify(INVALID_TOKEN_BODY), 401
    fault = _next_fault(state, shop)
    if fault is not None:
        return _fault_response(fault)
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict) or not isinstance(payload.get("query"), str):
        return jsonify(errors=[{"message": "Parameter Missing or Invalid"}]), 400
    result = graphql_sync(
        SCHEMA,
        payload["query"],
        root_value=_root(state, shop),
        variable_values=payload.get("variables") or {},
        operation_name=payload.get("operationName"),
    )
    body: dict[str, Any] = {}
    if result.errors:
        body["errors"] = [error.formatted for error in result.errors]
    if result.data is not None:
        body["data"] = result.data
    body["extensions"] = _cost()
    return jsonify(body)


def _root(state: DevstoreState, shop: str) -> dict[str, Any]:
    owner = installation_id(shop)

    def metafield(_info: Any, key: str, namespace: str | None = None) -> dict | None:
        return read_metafield(state, shop, namespace or "", key)

    def metafields(_info: Any, namespace: str | None = None, first: int | None = None) -> dict:
        with state.lock:
            nodes = [
                dict(record)
                for (ns, _), record in shop_metafields(state, shop).items()
                if namespace is None or ns == namespace
            ]
        return {"nodes": nodes[:first] if first else nodes}

    def metafields_set(_info: Any, metafields: list[dict[str, Any]]) -> dict:
        return _metafields_set(state, shop, owner, metafields)

    return {
        "shop": {
            "id": "gid://shopify/Shop/1",
            "name": shop.split(".")[0],
            "myshopifyDomain": shop,
            "ianaTimezone": shop_timezone(state, shop),
        },
        "currentAppInstallation": {"id": owner, "metafield": metafield, "metafields": metafields},
        "metafieldsSet": metafields_set,
        "orders": lambda _info, first=None, after=None, query=None, sortKey=None: (
            orders.orders_connection(state, shop, first, after, query)
        ),
        "order": lambda _info, id: orders.find_order(state, shop, id),
        **web_pixels.resolvers(state, shop),
    }


def _metafields_set(
    state: DevstoreState, shop: str, owner: str, inputs: list[dict[str, Any]]
) -> dict[str, Any]:
    """All or nothing, like Shopify: any invalid input means nothing is written."""
    errors = []
    if len(inputs) > MAX_METAFIELDS_PER_CALL:
        errors.append(
            {
                "field": ["metafields"],
                "message": "Exceeded the maximum metafields input limit of 25.",
                "code": "LESS_THAN_OR_EQUAL_TO",
            }
        )
    for index, item in enumerate(inputs):
        field = ["metafields", str(index)]
        if item["ownerId"] != owner:
            errors.append(
                {
                    "field": [*field, "ownerId"],
                    "message": "Owner does not exist.",
                    "code": "INVALID",
                }
            )
        if not item.get("type"):
            errors.append(
                {"field": [*field, "type"], "message": "Type can't be blank", "code": "BLANK"}
            )
        elif item["type"] == "json":
            try:
                json.loads(item["value"])
            except ValueError:
                errors.append(
                    {
                        "field": [*field, "value"],
                        "message": "Value is invalid JSON.",
                        "code": "INVALID_VALUE",
                    }
                )
        if len(item.get("namespace") or "") < 3:
            errors.append(
                {
                    "field": [*field, "namespace"],
                    "message": "Namespace is too short (minimum is 3 characters)",
                    "code": "TOO_SHORT",
                }
            )
    if errors:
        return {"metafields": None, "userErrors": errors}
    written = []
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    with state.lock:
        store = shop_metafields(state, shop)
        for item in inputs:
            key = (item["namespace"], item["key"])
            previous = store.get(key)
            record = {
                "id": previous["id"] if previous else f"gid://shopify/Metafield/{len(store) + 1}",
                "namespace": item["namespace"],
                "key": item["key"],
                "type": item["type"],
                "value": item["value"],
                "updatedAt": now,
            }
            store[key] = record
            written.append(dict(record))
    return {"metafields": written, "userErrors": []}


# ---- controls for tests and demos ----------------------------------------------------------


@bp.get("/_devstore/shops/<shop>/metafields/<namespace>/<key>")
def metafield_control(shop: str, namespace: str, key: str):  # type: ignore[no-untyped-def]
    record = read_metafield(_state(), shop, namespace, key)
    if record is None:
        return jsonify(error="no such metafield"), 404
    return jsonify(record)


@bp.get("/_devstore/shops/<shop>/web-pixel")
def web_pixel_control(shop: str):  # type: ignore[no-untyped-def]
    """The app's web pixel on the shop as Shopify holds it: {"id", "settings"}."""
    record = web_pixels.current_pixel(_state(), shop)
    if record is None:
        return jsonify(error="no web pixel"), 404
    return jsonify(record)


@bp.post("/_devstore/shops/<shop>/timezone")
def timezone_control(shop: str):  # type: ignore[no-untyped-def]
    """Set what `shop { ianaTimezone }` answers: {"ianaTimezone": "Europe/Berlin"}."""
    body = request.get_json(silent=True)
    name = body.get("ianaTimezone") if isinstance(body, dict) else None
    if not isinstance(name, str) or not name:
        return jsonify(error='send {"ianaTimezone": "Area/City"}'), 400
    state = _state()
    with state.lock:
        state.section("shop_timezones")[shop] = name
    return jsonify(ianaTimezone=name)


@bp.post("/_devstore/shops/<shop>/admin-api-faults")
def faults_control(shop: str):  # type: ignore[no-untyped-def]
    """Queue faults for the shop's next GraphQL calls: a JSON list of
    {"kind": "throttled"} | {"kind": "http", "status": 429, "retry_after": 1} |
    {"kind": "graphql_error", "message": "..."}."""
    faults = request.get_json(silent=True)
    if not isinstance(faults, list) or not all(isinstance(f, dict) for f in faults):
        return jsonify(error="send a JSON list of faults"), 400
    for fault in faults:
        queue_fault(_state(), shop, fault)
    return jsonify(queued=len(faults))
