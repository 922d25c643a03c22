"""The worker's webhook loop: process due deliveries as they arrive.

On PostgreSQL the loop LISTENs on the channel the insert trigger of migration 0016 notifies, so
it wakes as soon as a delivery is acknowledged (and polls every second anyway, for failed
rows whose back-off is over and claims that expired). SQLite has no notifications: it polls.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from urllib.parse import urlsplit, urlunsplit

from flask import Flask

from models import db
from models.database import is_postgresql
from shopify_app.errors import OUTAGE_ERRORS, first_line
from webhooks.inbox import process_due

log = logging.getLogger(__name__)

CHANNEL = "sightline_webhooks"
POLL_SECONDS = 1.0  # SQLite's wake-up; PostgreSQL's fallback is LISTEN_POLL_SECONDS
LISTEN_POLL_SECONDS = 1.0  # also bounds how long `stop` takes
ROUND_LIMIT = 1000


class _Listener:
    """A dedicated autocommit connection LISTENing on CHANNEL."""

    def __init__(self, database_url: str) -> None:
        import psycopg

        # The app's URL may carry pool options (max_connections=...) psycopg does not know.
        parts = urlsplit(database_url)
        self._conn = psycopg.connect(urlunsplit(parts._replace(query="")), autocommit=True)
        self._conn.execute(f"LISTEN {CHANNEL}")

    def wait(self, timeout: float) -> None:
        for _ in self._conn.notifies(timeout=timeout, stop_after=1):
            pass

    def close(self) -> None:
        self._conn.close()


def run_webhook_loop(app: Flask, stop: threading.Event) -> None:
    """Process deliveries until `stop` is set."""
    lease = dt.timedelta(seconds=app.config.get("WEBHOOK_CLAIM_SECONDS", 30))
    geoip = app.config.get("GEOIP_CITY_DB")
    listener: _Listener | None = None
    with app.app_context():
        while not stop.is_set():
            try:
                if listener is None and is_postgresql(db):
                    listener = _Listener(app.config["DATABASE_URL"])  # before the round: no
                    # notification sent during it is lost
                report = process_due(ROUND_LIMIT, geoip_city_db=geoip, lease=lease)
                if report.processed or report.failed:
                    log.info("webhooks: %d processed, %d failed", report.processed, report.failed)
                    continue
                if listener is not None:
                    listener.wait(LISTEN_POLL_SECONDS)
                else:
                    stop.wait(POLL_SECONDS)
            except OUTAGE_ERRORS as exc:
                log.warning("webhook processing: database unavailable: %s", first_line(exc))
                if listener is not None:
                    listener.close()
                    listener = None
                if not db.is_closed():
                    db.close()
                stop.wait(POLL_SECONDS)
            except Exception:
                log.exception("webhook processing failed; retrying")
                if listener is not None:
                    listener.close()
                    listener = None
                stop.wait(POLL_SECONDS)
    if listener is not None:
        listener.close()
