"""`sightline worker`: background duties that must not wait for a request.

A webhook thread processes acknowledged deliveries as they arrive (woken by NOTIFY on
PostgreSQL, polling on SQLite; see `webhooks/loop.py`); a delivery thread sends the outbox to
Meta's Conversions API continuously (woken the same way; see `destinations/`), and another folds
new events into the report rollups every few seconds (shopify_app/analytics/duty.py). Beside
them, each round processes what is due (failed webhook deliveries past their back-off, expired
claims), then writes storefront configs whose sync to Shopify is pending, then reconciles each
shop's yesterday once its morning has come (shopify_app/reconcile/duty.py). Every duty is
idempotent or claims its rows, so any number of workers (or a cron job running `sightline worker
--once`) can run side by side on PostgreSQL.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from flask import Flask

from models import utcnow
from shopify_app.analytics.duty import start_rollup_thread
from shopify_app.destinations.service import deliverer, run_delivery_loop
from shopify_app.reconcile.duty import reconcile_mornings
from shopify_app.shopify.config_sync import retry_pending_config_syncs
from webhooks.inbox import retry_failed_webhooks
from webhooks.loop import run_webhook_loop

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RoundReport:
    webhooks_processed: int
    webhooks_failing: int
    configs_synced: int
    configs_pending: int
    meta_sent: int = 0
    meta_retrying: int = 0
    meta_failed: int = 0
    days_reconciled: int = 0
    orders_repaired: int = 0

    def __str__(self) -> str:
        return (
            f"webhooks: {self.webhooks_processed} processed, "
            f"{self.webhooks_failing} still failing; "
            f"storefront configs: {self.configs_synced} synced, "
            f"{self.configs_pending} still pending; "
            f"meta: {self.meta_sent} sent, {self.meta_retrying} retrying, "
            f"{self.meta_failed} failed; "
            f"reconciliation: {self.days_reconciled} day(s) checked, "
            f"{self.orders_repaired} order(s) repaired"
        )


def run_round(app: Flask, limit: int = 500, *, deliveries: bool = True) -> RoundReport:
    """One round of every duty; `deliveries` also sends everything due to Meta (--once)."""
    with app.app_context():
        webhooks = retry_failed_webhooks(limit, geoip_city_db=app.config["GEOIP_CITY_DB"])
        configs = retry_pending_config_syncs(limit)
        mornings = reconcile_mornings(
            utcnow(),
            page_size=int(app.config.get("RECONCILE_PAGE_SIZE", 250)),
            geoip_city_db=app.config["GEOIP_CITY_DB"],
        )
        meta = None
        if deliveries:
            sender = deliverer(app.config)
            try:
                meta = sender.deliver_all_due()
            finally:
                sender.close()
    synced = sum(configs.values())
    return RoundReport(
        webhooks.processed,
        webhooks.failed,
        synced,
        len(configs) - synced,
        meta.sent if meta else 0,
        meta.retrying if meta else 0,
        meta.failed if meta else 0,
        mornings.days_checked,
        mornings.orders_repaired,
    )


def run_forever(app: Flask, interval: float, stop: threading.Event | None = None) -> None:
    """Process webhook deliveries as they arrive, deliver to Meta continuously, and run a round
    every `interval` seconds, until `stop` is set (or the process is stopped)."""
    stop = stop or threading.Event()
    start_rollup_thread(app, stop)  # rollups keep their own pace: every few seconds
    sender = threading.Thread(
        target=run_delivery_loop, args=(app.config, stop), name="meta-deliveries", daemon=True
    )
    sender.start()
    webhooks = threading.Thread(
        target=run_webhook_loop, args=(app, stop), name="webhooks", daemon=True
    )
    webhooks.start()
    try:
        while not stop.is_set():
            try:
                log.info("%s", run_round(app, deliveries=False))
            except Exception:  # one bad round (database restarting, say) must not end the worker
                log.exception("worker round failed; trying again in %s s", interval)
            stop.wait(interval)
    finally:
        stop.set()
        sender.join(timeout=10)
        webhooks.join(timeout=10)
