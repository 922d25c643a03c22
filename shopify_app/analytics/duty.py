"""The worker's rollup duty: a round every few seconds in its own thread.

Rollups must stay seconds behind the events while the worker's other duties run every 30 s,
so this loop keeps its own pace beside them. Shops without a time zone are asked for it at
most once a minute.
"""

from __future__ import annotations

import logging
import threading
import time

from flask import Flask

from shopify_app.analytics import rollups

log = logging.getLogger(__name__)

ROLLUP_INTERVAL = 5.0
TIMEZONE_INTERVAL = 60.0


def rollup_round(app: Flask, *, timezones: bool = True) -> str:
    """One round: missing time zones (if asked), then new events into the rollups."""
    from shopify_app.shopify.shop_timezone import fill_missing_timezones

    with app.app_context():
        zones = fill_missing_timezones() if timezones else 0
        result = rollups.run_round(retention_days=app.config["EVENT_RETENTION_DAYS"])
    return f"{result}; time zones read: {zones}"


def run_rollups_forever(app: Flask, interval: float, stop: threading.Event) -> None:
    last_zones = 0.0
    while not stop.is_set():
        due = time.monotonic() - last_zones >= TIMEZONE_INTERVAL
        try:
            log.debug("%s", rollup_round(app, timezones=due))
            if due:
                last_zones = time.monotonic()
        except Exception:  # one bad round (database restarting, say) must not end the loop
            log.exception("rollup round failed; trying again in %s s", interval)
        stop.wait(interval)


def start_rollup_thread(
    app: Flask, stop: threading.Event, interval: float = ROLLUP_INTERVAL
) -> threading.Thread:
    thread = threading.Thread(
        target=run_rollups_forever, args=(app, interval, stop), name="rollups", daemon=True
    )
    thread.start()
    return thread
