"""Admin GraphQL client: one query with a given token; throttling handled, errors typed."""

from __future__ import annotations

import logging
import time
from typing import Any

from shopify_app.shopify.errors import (
    AdminUnauthorizedError,
    GraphQLError,
    ShopifyHttpError,
    ShopifyThrottledError,
)
from shopify_app.shopify.settings import ShopifySettings
from shopify_app.shopify.transport import MAX_ATTEMPTS, MAX_WAIT_SECONDS, post_json, unexpected

log = logging.getLogger(__name__)


def execute(
    settings: ShopifySettings,
    shop: str,
    access_token: str,
    query: str,
    variables: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Run `query` and return its `data`.

    HTTP 429 is retried by the transport; GraphQL throttling comes back as HTTP 200 with
    `errors[].extensions.code == "THROTTLED"`, so it is retried here, waiting as long as the
    cost bucket needs to refill (bounded).
    """
    what = f"Admin GraphQL for {shop}"
    for attempt in range(MAX_ATTEMPTS):
        response = post_json(
            settings.graphql_url(shop),
            {"query": query, "variables": variables or {}},
            headers={"X-Shopify-Access-Token": access_token, "Accept": "application/json"},
            timeout=settings.timeout,
            what=what,
        )
        if response.status == 401:
            raise AdminUnauthorizedError()
        if response.status != 200:
            raise unexpected(what, response)
        body = response.body
        if not isinstance(body, dict):
            raise ShopifyHttpError(f"{what}: the answer was not JSON", response.status)
        errors = body.get("errors") or []
        if not errors:
            return body.get("data") or {}
        if not _throttled(errors):
            raise GraphQLError([_message(error) for error in errors])
        if attempt < MAX_ATTEMPTS - 1:
            wait = _throttle_wait(body)
            log.warning("%s: THROTTLED, retrying in %.2fs (attempt %d)", what, wait, attempt + 1)
            time.sleep(wait)
    raise ShopifyThrottledError(f"{what}: still THROTTLED after {MAX_ATTEMPTS} attempts")


def _throttled(errors: Any) -> bool:
    if not isinstance(errors, list):
        return False
    return any(
        isinstance(error, dict) and (error.get("extensions") or {}).get("code") == "THROTTLED"
        for error in errors
    )


def _message(error: Any) -> str:
    if isinstance(error, dict):
        return str(error.get("message", "unknown error"))
    return str(error)


def _throttle_wait(body: dict[str, Any]) -> float:
    """Time for the leaky bucket to hold the query's cost again (Shopify's cost extension)."""
    cost = (body.get("extensions") or {}).get("cost") or {}
    status = cost.get("throttleStatus") or {}
    try:
        missing = float(cost["requestedQueryCost"]) - float(status["currentlyAvailable"])
        wait = missing / float(status["restoreRate"])
    except (KeyError, TypeError, ValueError, ZeroDivisionError):
        wait = 1.0
    return min(max(wait, 0.05), MAX_WAIT_SECONDS)
