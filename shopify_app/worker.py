"""`sightline worker`: background duties that must not wait for a request.

A webhook thread processes acknowledged deliveries as they arrive (woken by NOTIFY on
PostgreSQL, polling on SQLite; see `webhooks/loop.py`). Each round processes what is due (failed
deliveries past their back-off, expired claims), then writes storefront configs whose sync to
Shopify is pending. Every duty is idempotent, so any number of
workers (or a cron job running `sightline worker --once`) can run side by side.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from flask import Flask

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

    def __str__(self) -> str:
        return (
            f"webhooks: {self.webhooks_processed} processed, "
            f"{self.webhooks_failing} still failing; "
            f"storefront configs: {self.configs_synced} synced, "
            f"{self.configs_pending} still pending"
        )


def run_round(app: Flask, limit: int = 500) -> RoundReport:
    with app.app_context():
        webhooks = retry_failed_webhooks(limit, geoip_city_db=app.config["GEOIP_CITY_DB"])
        configs = retry_pending_config_syncs(limit)
    synced = sum(configs.values())
    return RoundReport(webhooks.processed, webhooks.failed, synced, len(configs) - synced)


def run_forever(app: Flask, interval: float, stop: threading.Event | None = None) -> None:
    """Process webhook deliveries as they arrive, and run a round every `interval` seconds,
    until `stop` is set (or the process is stopped)."""
    stop = stop or threading.Event()
    webhooks = threading.Thread(
        target=run_webhook_loop, args=(app, stop), name="webhooks", daemon=True
    )
    webhooks.start()
    try:
        while not stop.is_set():
            try:
                log.info("%s", run_round(app))
            except Exception:  # one bad round (database restarting, say) must not end it
                log.exception("worker round failed; trying again in %s s", interval)
            stop.wait(interval)
    finally:
        stop.set()
        webhooks.join(timeout=10)
