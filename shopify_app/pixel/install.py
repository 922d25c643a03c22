"""Creating or updating the app's web pixel on a shop (`webPixelCreate` / `webPixelUpdate`),
with settings that carry a fresh per-shop key and the app's endpoint.

Runs on every install (token exchange or code grant), which also covers a reinstall: Shopify
deletes an app's pixel with the app, so the app creates it again. When the pixel already exists
(`TAKEN`), it is updated in place. A failure is recorded on the shop's row and retried by an admin
visit at least RETRY_AFTER later; it never blocks the install.
"""

from __future__ import annotations

import datetime as dt
import json
import logging

from flask import current_app

from models import WebPixel, db, utcnow
from shopify_app.pixel.keys import key_hash, new_key
from shopify_app.shopify.admin import admin_graphql
from shopify_app.shopify.errors import ShopifyError, UserErrorsError

log = logging.getLogger(__name__)

CREATE = """
mutation CreatePixel($webPixel: WebPixelInput!) {
  webPixelCreate(webPixel: $webPixel) {
    webPixel { id settings }
    userErrors { field message code }
  }
}
"""
UPDATE = """
mutation UpdatePixel($id: ID!, $webPixel: WebPixelInput!) {
  webPixelUpdate(id: $id, webPixel: $webPixel) {
    webPixel { id settings }
    userErrors { field message code }
  }
}
"""
CURRENT = "query CurrentPixel { webPixel { id } }"
RETRY_AFTER = dt.timedelta(minutes=5)


def pixel_endpoint() -> str:
    """The app's public base URL, where the pixel sends (`{endpoint}/pixel/events`)."""
    return str(current_app.config["APP_URL"]).rstrip("/")


def ensure_web_pixel(shop: str) -> bool:
    """Give the shop's pixel a fresh key; True when Shopify holds the new settings."""
    key = new_key()
    settings = json.dumps({"shopKey": key, "endpoint": pixel_endpoint()}, separators=(",", ":"))
    try:
        pixel_id = _create_or_update(shop, settings)
    except (ShopifyError, KeyError, TypeError) as exc:  # refused, or an unexpected shape
        log.warning("web pixel of %s not created: %s", shop, exc)
        _record(shop, error=str(exc))
        return False
    _record(shop, key=key, pixel_id=pixel_id)
    return True


def pixel_needs_sync(shop: str) -> bool:
    """No pixel yet, or the last attempt failed more than RETRY_AFTER ago: an admin visit should
    try again (not on every page load: a refusal, such as a missing scope, repeats)."""
    row = (
        WebPixel.select(WebPixel.synced_at, WebPixel.updated_at)
        .where(WebPixel.app_id == shop)
        .tuples()
        .first()
    )
    if row is None:
        return True
    synced_at, updated_at = row
    return synced_at is None and (updated_at is None or updated_at < utcnow() - RETRY_AFTER)


def _create_or_update(shop: str, settings: str) -> str:
    result = admin_graphql(shop, CREATE, {"webPixel": {"settings": settings}})["webPixelCreate"]
    errors = result.get("userErrors") or []
    if not errors:
        return str(result["webPixel"]["id"])
    if not any(error.get("code") == "TAKEN" for error in errors):
        raise UserErrorsError([str(error.get("message")) for error in errors])
    current = (admin_graphql(shop, CURRENT).get("webPixel") or {}).get("id")
    if not current:
        raise UserErrorsError(["the pixel exists but Shopify did not return it"])
    result = admin_graphql(shop, UPDATE, {"id": current, "webPixel": {"settings": settings}})[
        "webPixelUpdate"
    ]
    errors = result.get("userErrors") or []
    if errors:
        raise UserErrorsError([str(error.get("message")) for error in errors])
    return str(result["webPixel"]["id"])


def _record(
    shop: str, *, key: str | None = None, pixel_id: str | None = None, error: str = ""
) -> None:
    now = utcnow()
    with db.atomic():
        row = WebPixel.get_or_none(WebPixel.app_id == shop)
        if key is None:
            if row is not None:
                WebPixel.update(sync_error=error[:500], synced_at=None, updated_at=now).where(
                    WebPixel.app_id == shop
                ).execute()
            else:
                # No key yet: a placeholder hash that no key can match.
                WebPixel.insert(
                    app_id=shop, key_hash="0" * 64, sync_error=error[:500]
                ).on_conflict_ignore().execute()
            return
        fields = {
            "key_hash": key_hash(key),
            "web_pixel_id": pixel_id,
            "synced_at": now,
            "sync_error": None,
            "updated_at": now,
        }
        if row is None:
            WebPixel.insert(app_id=shop, **fields).on_conflict(
                conflict_target=[WebPixel.app_id], update=fields
            ).execute()
        else:
            WebPixel.update(**fields).where(WebPixel.app_id == shop).execute()
