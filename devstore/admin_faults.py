"""Faults tests queue for a shop's next Admin API calls, answered as Shopify answers them:
THROTTLED (HTTP 200 with the cost extension), an HTTP status (429 with Retry-After, 503) or a
GraphQL error. Also the `cost` extension every answer carries."""

from __future__ import annotations

from typing import Any

from flask import jsonify

from devstore.state import DevstoreState

QUERY_COST = 10.0
BUCKET = {"maximumAvailable": 2000.0, "currentlyAvailable": 1990.0, "restoreRate": 100.0}


def queue_fault(state: DevstoreState, shop: str, fault: dict[str, Any]) -> None:
    with state.lock:
        state.section("admin_api_faults").setdefault(shop, []).append(fault)


def next_fault(state: DevstoreState, shop: str) -> dict[str, Any] | None:
    with state.lock:
        queue = state.section("admin_api_faults").get(shop) or []
        return queue.pop(0) if queue else None


def cost(available: float = BUCKET["currentlyAvailable"]) -> dict[str, Any]:
    status = {**BUCKET, "currentlyAvailable": available}
    return {
        "cost": {
            "requestedQueryCost": QUERY_COST,
            "actualQueryCost": None,
            "throttleStatus": status,
        }
    }


def fault_response(fault: dict[str, Any]):  # type: ignore[no-untyped-def]
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
            "extensions": cost(available=5.0),
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
