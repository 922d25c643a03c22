"""After a change: push the storefront config to Shopify, and report where that stands."""

from __future__ import annotations

from typing import Any

from models import Shop
from shopify_app.shopify.config_sync import note_config_changed, sync_storefront_config


def sync_state(app_id: str) -> dict[str, Any]:
    """`synced`, or `pending` (saved here, not yet in the shop's metafield) with the last error."""
    shop = Shop.get_or_none(Shop.domain == app_id)
    if shop is None or shop.config_sync_pending_since is not None or shop.config_synced_at is None:
        pending_since = shop.config_sync_pending_since if shop else None
        return {
            "status": "pending",
            "pending_since": pending_since.isoformat() + "Z" if pending_since else None,
            "error": shop.config_sync_error if shop else "the shop has not finished installing",
        }
    return {"status": "synced", "synced_at": shop.config_synced_at.isoformat() + "Z"}


def sync_after_change(app_id: str) -> dict[str, Any]:
    """Write the new config now; when Shopify is unreachable the change stays saved and the sync
    is retried later (see retry_pending_config_syncs)."""
    note_config_changed(app_id)
    sync_storefront_config(app_id)
    return sync_state(app_id)
