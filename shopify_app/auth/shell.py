"""What every admin page's layout (templates/base.html) needs: API key, shop, navigation."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, g

from shopify_app.shopify.settings import current_settings

# App pages in the admin's navigation: (label, path under the App URL).
NAV_ITEMS: tuple[tuple[str, str], ...] = (
    ("Events", "/events"),
    ("Settings", "/settings"),
    ("Reports", "/reports"),
    ("Deliveries", "/deliveries"),
    ("Data requests", "/data-requests"),
)


def admin_app_url(shop: str, path: str = "") -> str:
    """The app inside the shop's admin: Shopify loads the App URL (plus `path`) in its frame with
    a fresh ID token. Used to re-enter the app and as the nav's links when App Bridge is absent."""
    admin = current_settings().admin_base_url(shop)
    return f"{admin}/admin/apps/{current_app.config['SHOPIFY_API_KEY']}{path}"


def shell_context() -> dict[str, Any]:
    shop = g.get("shop")
    return {
        "shopify_api_key": current_app.config["SHOPIFY_API_KEY"],
        "shell_shop": shop,
        "nav_items": [
            {"label": label, "path": path, "admin_url": admin_app_url(shop, path) if shop else path}
            for label, path in NAV_ITEMS
        ],
        "home_admin_url": admin_app_url(shop) if shop else "/",
    }


def init_app(app: Flask) -> None:
    app.context_processor(shell_context)
