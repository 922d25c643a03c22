"""Repair: each missing order read from the Admin API and recorded by the webhook's own code.

The purchase gets the webhook's id (`order:<id>`), so a webhook arriving later finds it stored
and adds nothing; and the writer queues it for Meta like any purchase (the outbox expires what
is older than Meta's 7 days instead of sending it). An order the shop's own Admin API does not
return (another shop's, or deleted) is not stored.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from models import db, utcnow
from shopify_app.reconcile.report import DayReport, reconcile_day, save
from shopify_app.reconcile.shopify_orders import PAGE_SIZE, fetch_order
from shopify_app.shopify.errors import ShopifyError
from webhooks.context import Delivery as WebhookDelivery
from webhooks.orders import PurchaseConflictError, record_purchase
from webhooks.payload import PayloadError

log = logging.getLogger(__name__)

REPAIR_TOPIC = "reconcile"  # kept in the purchase's custom_data.topic: where it came from


@dataclass
class RepairResult:
    report: DayReport
    repaired: list[str] = field(default_factory=list)
    not_repaired: dict[str, str] = field(default_factory=dict)  # order id → why


def repair_order(shop: str, order_id: str, geoip_city_db: str | None = None) -> bool:
    """Record the purchase of one of the shop's orders; False when nothing was stored."""
    payload = fetch_order(shop, order_id)
    if payload is None:
        return False
    delivery = WebhookDelivery(
        shop=shop,
        topic=REPAIR_TOPIC,
        webhook_id=f"reconcile:{order_id}",
        payload=payload,
        received_at=utcnow(),
        geoip_city_db=geoip_city_db,
    )
    write = record_purchase(delivery)
    if write is None:
        return False  # the shop uninstalled
    with db.atomic():
        write()
    return True


def repair_day(
    shop: str,
    day: dt.date,
    *,
    page_size: int = PAGE_SIZE,
    geoip_city_db: str | None = None,
    now: dt.datetime | None = None,
) -> RepairResult:
    """Reconcile the day, record every missing order, and reconcile again."""
    before = reconcile_day(shop, day, page_size=page_size, now=now)
    result = RepairResult(before)
    if not before.complete:
        return result
    for order_id in before.missing:
        try:
            if repair_order(shop, order_id, geoip_city_db):
                result.repaired.append(order_id)
            else:
                result.not_repaired[order_id] = "Shopify did not return this order"
        except (ShopifyError, PayloadError, PurchaseConflictError) as exc:
            log.warning("repair of order %s of %s failed: %s", order_id, shop, exc)
            result.not_repaired[order_id] = str(exc)
    if before.missing:
        result.report = reconcile_day(shop, day, page_size=page_size, now=now)
        result.report.repaired = len(result.repaired)
        save(shop, day, result.report, now)
    return result
