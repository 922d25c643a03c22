"""The app installation's metafields as Shopify keeps them: read, listed and written with
`metafieldsSet` (all or nothing, with Shopify's user errors). Uninstalling drops them."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from devstore.state import DevstoreState

MAX_METAFIELDS_PER_CALL = 25


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


def list_metafields(
    state: DevstoreState, shop: str, namespace: str | None, first: int | None
) -> list[dict[str, Any]]:
    """`metafields(namespace, first)`: copies, in the order they were first written."""
    with state.lock:
        nodes = [
            dict(record)
            for (ns, _), record in shop_metafields(state, shop).items()
            if namespace is None or ns == namespace
        ]
    return nodes[:first] if first else nodes


def metafields_set(
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
