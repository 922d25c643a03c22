"""The worker's morning duty: each installed shop's yesterday reconciled and repaired on its own.

A shop is due once its local clock has passed MORNING_HOUR (late webhooks and Shopify's retries
have had the night) and its yesterday has no complete check made after that day ended. A day
left incomplete (the Admin API failing) is tried again after RETRY_INCOMPLETE, not every round.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from models import ReconciliationDay, Shop, ShopState
from shopify_app.analytics import localtime
from shopify_app.reconcile.days import install_day
from shopify_app.reconcile.repair import repair_day
from shopify_app.reconcile.shopify_orders import PAGE_SIZE

log = logging.getLogger(__name__)

MORNING_HOUR = 6
RETRY_INCOMPLETE = dt.timedelta(minutes=30)


@dataclass
class MorningReport:
    days_checked: int = 0
    orders_repaired: int = 0
    days_incomplete: int = 0


def due_day(shop: str, now: dt.datetime) -> dt.date | None:
    """The shop's yesterday when it wants checking now; None otherwise."""
    zone = localtime.shop_zone(shop)
    local_now = localtime.to_local(now, zone)
    if local_now.hour < MORNING_HOUR:
        return None
    yesterday = local_now.date() - dt.timedelta(days=1)
    first = install_day(shop)
    if first is None or yesterday < first:
        return None
    row = ReconciliationDay.get_or_none(
        (ReconciliationDay.app_id == shop) & (ReconciliationDay.day == yesterday)
    )
    if row is None:
        return yesterday
    _, day_end = localtime.day_bounds(yesterday, yesterday, zone)
    if row.complete and row.checked_at >= day_end:
        return None  # checked after the day was over
    if not row.complete and now - row.checked_at < RETRY_INCOMPLETE:
        return None
    return yesterday


def reconcile_mornings(
    now: dt.datetime,
    *,
    limit: int = 50,
    page_size: int = PAGE_SIZE,
    geoip_city_db: str | None = None,
) -> MorningReport:
    report = MorningReport()
    shops = Shop.select(Shop.domain).where(Shop.state == ShopState.INSTALLED).order_by(Shop.id)
    for shop in [s.domain for s in shops]:
        if report.days_checked >= limit:
            break
        day = due_day(shop, now)
        if day is None:
            continue
        result = repair_day(shop, day, page_size=page_size, geoip_city_db=geoip_city_db, now=now)
        report.days_checked += 1
        report.orders_repaired += len(result.repaired)
        report.days_incomplete += 0 if result.report.complete else 1
        log.info(
            "reconciled %s on %s: %s orders, %d repaired%s",
            shop,
            day,
            result.report.orders,
            len(result.repaired),
            "" if result.report.complete else " (incomplete)",
        )
    return report
