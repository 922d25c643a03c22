"""The app home (`GET /`, the App URL): install on first load, then the admin shell."""

from __future__ import annotations

from flask import g, jsonify, render_template

from models import Shop
from shopify_app.auth import bp
from shopify_app.auth.embedded import embedded_page
from shopify_app.auth.guards import require_id_token
from shopify_app.errors import json_error
from shopify_app.shopify.config_sync import sync_storefront_config


@bp.get("/")
@embedded_page
def home():  # type: ignore[no-untyped-def]
    shop: Shop = g.shop_row
    if shop.config_sync_pending_since is not None:
        # A visit is a good moment to retry: the merchant is about to look at the result.
        sync_storefront_config(shop.domain)
        shop = Shop.get(Shop.domain == shop.domain)
    return render_template("home.html", shop=shop)


@bp.post("/config-sync")
@require_id_token
def config_sync():  # type: ignore[no-untyped-def]
    """Write the storefront config now (the home page's "Retry" button)."""
    if Shop.get_or_none(Shop.domain == g.shop) is None:
        return json_error("the app is not installed on this shop", 404)
    synced = sync_storefront_config(g.shop)
    shop = Shop.get(Shop.domain == g.shop)
    return jsonify(
        synced=synced,
        synced_at=shop.config_synced_at.isoformat() + "Z" if shop.config_synced_at else None,
        error=shop.config_sync_error,
    )
