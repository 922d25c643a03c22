"""Attribution of an order: what the storefront tracker stored in cart attributes (they reach
the order as `note_attributes`), else what the landing URL's query says."""

from __future__ import annotations

import datetime as dt
from typing import Any

from shopify_app.ingest.enrich import CLICK_ID_KEYS, UTM_KEYS, attribution_from_url
from webhooks.payload import text

# The contract with the storefront tracker: the cart attribute it writes for each events column.
# A leading underscore hides an attribute from the shopper at checkout. `_fbp`/`_fbc` keep the
# names of Meta's own cookies.
CART_ATTRIBUTES: dict[str, str] = {
    "session_id": "_sightline_session",
    "utm_source": "_sightline_utm_source",
    "utm_medium": "_sightline_utm_medium",
    "utm_campaign": "_sightline_utm_campaign",
    "utm_term": "_sightline_utm_term",
    "utm_content": "_sightline_utm_content",
    "fbclid": "_sightline_fbclid",
    "gclid": "_sightline_gclid",
    "ttclid": "_sightline_ttclid",
    "fbp": "_fbp",
    "fbc": "_fbc",
}
# "1" when the shopper allowed marketing (Customer Privacy API), "0" when they refused.
CONSENT_ATTRIBUTE = "_sightline_consent_marketing"

COLUMN_WIDTH = {"session_id": 64}  # every other attribution column holds 255 characters


def note_attributes(order: dict[str, Any]) -> dict[str, str]:
    """The order's note attributes as a name → value mapping (first occurrence wins)."""
    found: dict[str, str] = {}
    raw = order.get("note_attributes")
    if not isinstance(raw, list):
        return found
    for item in raw:
        if isinstance(item, dict):
            name, value = text(item.get("name")), text(item.get("value"), 1024)
            if name and value is not None:
                found.setdefault(name, value)
    return found


def attribution(
    attributes: dict[str, str], landing_url: str | None, ordered_at: dt.datetime
) -> dict[str, str]:
    """Session, UTM, click ids, fbp and fbc for the events row; absent values are omitted.

    Cart attributes win: they hold the visit the tracker attributed. The landing URL fills in only
    when the tracker left nothing, and UTM values are taken as one set from a single source so a
    campaign is never stitched together from two visits.
    """
    stored = {
        column: value
        for column, name in CART_ATTRIBUTES.items()
        if (value := text(attributes.get(name), COLUMN_WIDTH.get(column, 255)))
    }
    landed = attribution_from_url(landing_url)
    result = {k: v for k, v in stored.items() if k not in UTM_KEYS}
    utm_source = stored if any(k in stored for k in UTM_KEYS) else landed
    result.update({k: v for k, v in utm_source.items() if k in UTM_KEYS})
    for key in CLICK_ID_KEYS:
        if key not in result and key in landed:
            result[key] = landed[key]
    if "fbc" not in result and "fbclid" in result:
        # Meta's documented fallback when the _fbc cookie is missing: build it from the click id.
        clicked_ms = int(ordered_at.replace(tzinfo=dt.UTC).timestamp() * 1000)
        result["fbc"] = f"fb.1.{clicked_ms}.{result['fbclid']}"[:255]
    return result


def marketing_consent(attributes: dict[str, str]) -> bool | None:
    """True/False when the tracker recorded the shopper's choice; None when it could not."""
    value = attributes.get(CONSENT_ATTRIBUTE)
    if value is None:
        return None
    return value.strip().lower() in ("1", "true", "yes", "granted")
