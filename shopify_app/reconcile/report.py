"""One local day of one shop: Shopify's orders (Admin API) against our purchase events and
their Meta deliveries. Stored (reconciliation_days) so the admin shows what the check answered.

Every figure counts the day's Shopify orders: `recorded` have a purchase event, `missing` do
not; each recorded purchase is `delivered` (Meta accepted it), `pending`, `failed`, or
`skipped` with a reason: `consent` (no marketing consent under the shop's policy), `meta_off`
(the shop does not send to Meta), `expired` (older than Meta's 7 days), `cancelled`. Drift is
orders - (delivered + skipped). When the Admin API keeps failing, the day is `complete: false`
with the error and no figures: never reported as clean.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import asdict, dataclass, field
from typing import Any

from models import Delivery, DeliveryStatus, Event, ReconciliationDay, utcnow
from shopify_app.analytics import localtime
from shopify_app.ingest.writer import META, meta_enabled
from shopify_app.reconcile.shopify_orders import PAGE_SIZE, day_order_ids
from shopify_app.shopify.errors import ShopifyError
from webhooks.orders import PURCHASE

log = logging.getLogger(__name__)

DRIFT_ALERT_PERCENT = 2.0
CHUNK = 500  # ids per IN (...): within SQLite's variable limit


@dataclass
class DayReport:
    date: str
    zone: str
    complete: bool
    error: str | None = None
    orders: int = 0
    recorded: int = 0
    delivered: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    failed: int = 0
    pending: int = 0
    missing: list[str] = field(default_factory=list)
    repaired: int = 0
    checked_at: str = ""

    @property
    def drift(self) -> int:
        return self.orders - (self.delivered + sum(self.skipped.values()))

    @property
    def drift_percent(self) -> float:
        return round(100.0 * self.drift / self.orders, 2) if self.orders else 0.0

    @property
    def alert(self) -> bool:
        """The banner: incomplete, any order missing, or drift above 2 % of the orders."""
        return not self.complete or bool(self.missing) or self.drift_percent > DRIFT_ALERT_PERCENT

    def to_dict(self) -> dict[str, Any]:
        body = asdict(self)
        body.update(drift=self.drift, drift_percent=self.drift_percent, alert=self.alert)
        if not self.complete:  # no figures: an incomplete day must never read as clean
            for name in ("orders", "recorded", "delivered", "skipped", "failed", "pending"):
                body[name] = None
            body.update(missing=None, drift=None, drift_percent=None)
        return body


def reconcile_day(
    shop: str, day: dt.date, *, page_size: int = PAGE_SIZE, now: dt.datetime | None = None
) -> DayReport:
    """Check one local day now and store the result (stamped `now`, the worker's clock)."""
    zone = localtime.shop_zone(shop)
    start, end = localtime.day_bounds(day, day, zone)
    report = DayReport(date=day.isoformat(), zone=zone, complete=True)
    try:
        order_ids = day_order_ids(shop, start, end, page_size)
    except (ShopifyError, RuntimeError) as exc:
        log.warning("reconciliation of %s on %s incomplete: %s", shop, day, exc)
        report.complete, report.error = False, str(exc)
        return save(shop, day, report, now)
    report.orders = len(order_ids)
    events = _purchases(shop, order_ids)
    report.recorded = len(events)
    report.missing = [order_id for order_id in order_ids if order_id not in events]
    statuses = _delivery_statuses(shop, list(events.values()))
    sends = meta_enabled(shop)
    for event_id in events.values():
        status = statuses.get(event_id)
        if status == DeliveryStatus.SENT:
            report.delivered += 1
        elif status == DeliveryStatus.PENDING:
            report.pending += 1
        elif status == DeliveryStatus.FAILED:
            report.failed += 1
        else:
            reason = status or ("consent" if sends else "meta_off")
            report.skipped[reason] = report.skipped.get(reason, 0) + 1
    return save(shop, day, report, now)


def _chunks(items: list[Any]) -> list[list[Any]]:
    return [items[i : i + CHUNK] for i in range(0, len(items), CHUNK)]


def _purchases(shop: str, order_ids: list[str]) -> dict[str, int]:
    """order id → purchase event row id, for the orders that have one."""
    found: dict[str, int] = {}
    for chunk in _chunks(order_ids):
        rows = Event.select(Event.id, Event.order_id).where(
            (Event.app_id == shop) & (Event.event_name == PURCHASE) & Event.order_id.in_(chunk)
        )
        found.update({row.order_id: row.id for row in rows})
    return found


def _delivery_statuses(shop: str, event_ids: list[int]) -> dict[int, str]:
    found: dict[int, str] = {}
    for chunk in _chunks(event_ids):
        rows = Delivery.select(Delivery.event_id, Delivery.status).where(
            (Delivery.app_id == shop) & (Delivery.destination == META) & Delivery.event.in_(chunk)
        )
        found.update({row.event_id: row.status for row in rows})
    return found


def save(shop: str, day: dt.date, report: DayReport, now: dt.datetime | None = None) -> DayReport:
    now = now or utcnow()
    report.checked_at = now.isoformat(timespec="seconds") + "Z"
    values = {
        "zone": report.zone,
        "complete": report.complete,
        "error": report.error,
        "orders": report.orders,
        "recorded": report.recorded,
        "delivered": report.delivered,
        "skipped": report.skipped,
        "failed": report.failed,
        "pending": report.pending,
        "missing": report.missing,
        "repaired": report.repaired,
        "checked_at": now,
        "updated_at": now,
    }
    (
        ReconciliationDay.insert(app_id=shop, day=day, **values)
        .on_conflict(
            conflict_target=[ReconciliationDay.app_id, ReconciliationDay.day], update=values
        )
        .execute()
    )
    return report


def stored(row: ReconciliationDay) -> DayReport:
    return DayReport(
        date=row.day.isoformat() if hasattr(row.day, "isoformat") else str(row.day),
        zone=row.zone,
        complete=row.complete,
        error=row.error,
        orders=row.orders,
        recorded=row.recorded,
        delivered=row.delivered,
        skipped=dict(row.skipped or {}),
        failed=row.failed,
        pending=row.pending,
        missing=list(row.missing or []),
        repaired=row.repaired,
        checked_at=row.checked_at.isoformat(timespec="seconds") + "Z",
    )


def last_days(shop: str, today: dt.date, days: int = 30) -> list[tuple[str, DayReport | None]]:
    """The last `days` local days, newest first, each with its last check (None: unchecked)."""
    first = today - dt.timedelta(days=days - 1)
    rows = ReconciliationDay.select().where(
        (ReconciliationDay.app_id == shop) & (ReconciliationDay.day >= first)
    )
    by_day = {str(row.day): stored(row) for row in rows}
    return [
        ((d := today - dt.timedelta(days=n)).isoformat(), by_day.get(d.isoformat()))
        for n in range(days)
    ]
