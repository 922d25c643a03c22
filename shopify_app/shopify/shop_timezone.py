"""The shop's IANA time zone from the Admin API (`shop { ianaTimezone }`), stored on `shops`.

Report days are the shop's local days. The worker's rollup duty reads it for installed shops
that have none yet (at most once a minute, so a failing shop is retried, not hammered); until
then reports use UTC. A change of zone rebuilds that shop's rollups. Install does not wait for
it: the install path makes only the calls it needs.
"""

from __future__ import annotations

import logging

from models import Shop, ShopState
from shopify_app.analytics.localtime import DEFAULT_ZONE, valid_zone
from shopify_app.analytics.rebuild import rebuild_shop
from shopify_app.shopify.admin import admin_graphql
from shopify_app.shopify.errors import ShopifyError

log = logging.getLogger(__name__)

SHOP_TIMEZONE_QUERY = "query ShopTimezone { shop { ianaTimezone } }"


def refresh_shop_timezone(app_id: str) -> str | None:
    """Ask Shopify for the shop's zone and store it; None (nothing stored) when it cannot."""
    try:
        data = admin_graphql(app_id, SHOP_TIMEZONE_QUERY)
    except ShopifyError as exc:
        log.warning("time zone of %s not read: %s", app_id, exc)
        return None
    name = (data.get("shop") or {}).get("ianaTimezone")
    if not isinstance(name, str) or not valid_zone(name):
        log.warning("time zone of %s: Shopify sent an unknown zone %r", app_id, name)
        return None
    before = Shop.select(Shop.iana_timezone).where(Shop.domain == app_id).scalar()
    Shop.update(iana_timezone=name).where(Shop.domain == app_id).execute()
    if name != (before or DEFAULT_ZONE):
        rebuild_shop(app_id)  # its days were cut at other midnights
    return name


def fill_missing_timezones(limit: int = 50) -> int:
    """Read the zone of installed shops that have none; returns how many were stored."""
    shops = (
        Shop.select(Shop.domain)
        .where((Shop.state == ShopState.INSTALLED) & Shop.iana_timezone.is_null())
        .order_by(Shop.id)
        .limit(limit)
    )
    return sum(1 for shop in list(shops) if refresh_shop_timezone(shop.domain))
