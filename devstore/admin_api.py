"""The Admin GraphQL API subset Sightline uses, executed by graphql-core against a real schema
(devstore.admin_schema).

Supported: `shop` (with `ianaTimezone`), `currentAppInstallation { id metafield(...)
metafields(...) }`, `metafieldsSet` (devstore.metafields), `orders(first, after, query)` /
`order(id:)` over devstore's orders (devstore/orders.py), and the web pixel's `webPixel`,
`webPixelCreate` and `webPixelUpdate` (devstore.web_pixels). Requests need a live access token
(401 with Shopify's body otherwise). Tests can queue faults per shop (devstore.admin_faults) and
set the shop's time zone.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify, request
from graphql import graphql_sync

from devstore import orders, web_pixels
from devstore.admin_faults import cost, fault_response, next_fault, queue_fault
from devstore.admin_schema import SCHEMA
from devstore.metafields import (
    installation_id,
    list_metafields,
    metafields_set,
    read_metafield,
)
from devstore.oauth import access_token_shop
from devstore.state import DevstoreState

bp = Blueprint("devstore_admin_api", __name__)

INVALID_TOKEN_BODY = {
    "errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"
}
DEFAULT_TIMEZONE = "UTC"


def _state() -> DevstoreState:
    return current_app.extensions["devstore"]


def shop_timezone(state: DevstoreState, shop: str) -> str:
    """The shop's IANA zone (`shop.ianaTimezone`); set it with the timezone control."""
    with state.lock:
        return state.section("shop_timezones").get(shop, DEFAULT_TIMEZONE)


@bp.post("/<shop>/admin/api/<version>/graphql.json")
def graphql_endpoint(shop: str, version: str):  # type: ignore[no-untyped-def]
    state = _state()
    token = request.headers.get("X-Shopify-Access-Token", "")
    if not token or access_token_shop(state, token) != shop:
        return jsonify(INVALID_TOKEN_BODY), 401
    fault = next_fault(state, shop)
    if fault is not None:
        return fault_response(fault)
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
    body["extensions"] = cost()
    return jsonify(body)


def _root(state: DevstoreState, shop: str) -> dict[str, Any]:
    owner = installation_id(shop)

    def metafield(_info: Any, key: str, namespace: str | None = None) -> dict | None:
        return read_metafield(state, shop, namespace or "", key)

    def metafields(_info: Any, namespace: str | None = None, first: int | None = None) -> dict:
        return {"nodes": list_metafields(state, shop, namespace, first)}

    return {
        "shop": {
            "id": "gid://shopify/Shop/1",
            "name": shop.split(".")[0],
            "myshopifyDomain": shop,
            "ianaTimezone": shop_timezone(state, shop),
        },
        "currentAppInstallation": {"id": owner, "metafield": metafield, "metafields": metafields},
        "metafieldsSet": lambda _info, metafields: metafields_set(state, shop, owner, metafields),
        "orders": lambda _info, first=None, after=None, query=None, sortKey=None: (
            orders.orders_connection(state, shop, first, after, query)
        ),
        "order": lambda _info, id: orders.find_order(state, shop, id),
        **web_pixels.resolvers(state, shop),
    }


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
