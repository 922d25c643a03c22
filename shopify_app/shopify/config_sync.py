"""Write the shop's storefront config to its app-data metafield `sightline.config` (json).

The theme embed renders that metafield inline, so the storefront needs no request for config.
When Shopify cannot take the write, the shop is marked pending with the error; a later change,
an admin visit or `retry_pending_config_syncs()` writes the then-current config.
"""

from __future__ import annotations

import json
import logging

from peewee import fn

from models import Shop, ShopState, utcnow
from shopify_app.shopify.admin import admin_graphql
from shopify_app.shopify.errors import GraphQLError, ShopifyError, UserErrorsError
from shopify_app.shopify.locks import keyed_lock
from shopify_app.storefront_config import build_storefront_config

log = logging.getLogger(__name__)

NAMESPACE = "sightline"
KEY = "config"

APP_INSTALLATION_QUERY = "query AppInstallation { currentAppInstallation { id } }"
METAFIELDS_SET_MUTATION = """
mutation SetStorefrontConfig($metafields: [MetafieldsSetInput!]!) {
  metafieldsSet(metafields: $metafields) {
    metafields { id namespace key }
    userErrors { field message code }
  }
}
"""
READ_CONFIG_QUERY = """
query StorefrontConfig($namespace: String!, $key: String!) {
  currentAppInstallation { metafield(namespace: $namespace, key: $key) { type value } }
}
"""


MAX_WRITE_ROUNDS = 3


def note_config_changed(app_id: str) -> None:
    """Call after committing a change to anything in the config, before syncing it."""
    Shop.update(config_version=Shop.config_version + 1).where(Shop.domain == app_id).execute()


def sync_storefront_config(app_id: str) -> bool:
    """Build the shop's config and write it; False (and the shop marked pending) on failure."""
    # Threads of this process take turns per shop. Other processes (gunicorn workers, the
    # worker) are covered by config_version: a write counts only if no change arrived while it
    # was built and sent; otherwise the newer config is written again, so it lands last.
    with keyed_lock(f"config:{app_id}"):
        for _ in range(MAX_WRITE_ROUNDS):
            shop = Shop.get_or_none(Shop.domain == app_id)
            if shop is None or shop.state == ShopState.UNINSTALLED:
                return False  # nothing to write to; an install syncs the config anyway
            config = build_storefront_config(app_id)
            try:
                _write(app_id, config)
            except ShopifyError as exc:
                log.warning("storefront config for %s not synced: %s", app_id, exc)
                _mark_pending(app_id, str(exc))
                return False
            if _mark_synced(app_id, shop.config_version):
                return True
        _mark_pending(app_id, "the configuration kept changing while it was being written")
        return False


def _mark_synced(app_id: str, version: int) -> bool:
    """Synced, unless the config changed since `version` was read (then False)."""
    now = utcnow()
    return bool(
        Shop.update(
            config_synced_at=now,
            config_sync_pending_since=None,
            config_sync_error=None,
            updated_at=now,
        )
        .where((Shop.domain == app_id) & (Shop.config_version == version))
        .execute()
    )


def retry_pending_config_syncs(limit: int = 100) -> dict[str, bool]:
    """Retry every installed shop whose config is pending, oldest first; shop -> synced."""
    pending = (
        Shop.select(Shop.domain)
        .where(Shop.config_sync_pending_since.is_null(False) & (Shop.state == ShopState.INSTALLED))
        .order_by(Shop.config_sync_pending_since)
        .limit(limit)
    )
    return {shop.domain: sync_storefront_config(shop.domain) for shop in list(pending)}


def read_storefront_config(app_id: str) -> dict | None:
    """The config as Shopify holds it now (None when never written); for checks and support."""
    data = admin_graphql(app_id, READ_CONFIG_QUERY, {"namespace": NAMESPACE, "key": KEY})
    metafield = (data.get("currentAppInstallation") or {}).get("metafield")
    return json.loads(metafield["value"]) if metafield else None


def _write(app_id: str, config: dict) -> None:
    try:
        _set_metafield(app_id, config)
    except (KeyError, TypeError):
        # A 200 whose data lacks what the schema promises: treat it as Shopify's fault.
        raise GraphQLError(["unexpected response shape"]) from None


def _set_metafield(app_id: str, config: dict) -> None:
    installation = admin_graphql(app_id, APP_INSTALLATION_QUERY)["currentAppInstallation"]
    value = json.dumps(config, separators=(",", ":"), sort_keys=True)
    result = admin_graphql(
        app_id,
        METAFIELDS_SET_MUTATION,
        {
            "metafields": [
                {
                    "ownerId": installation["id"],
                    "namespace": NAMESPACE,
                    "key": KEY,
                    "type": "json",
                    "value": value,
                }
            ]
        },
    )["metafieldsSet"]
    errors = result.get("userErrors") or []
    if errors:
        raise UserErrorsError([str(error.get("message")) for error in errors])


def _mark_pending(app_id: str, error: str) -> None:
    now = utcnow()
    Shop.update(
        config_sync_pending_since=fn.COALESCE(Shop.config_sync_pending_since, now),
        config_sync_error=error[:500],
        updated_at=now,
    ).where(Shop.domain == app_id).execute()
