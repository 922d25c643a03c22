"""Building the delivery loop from the app's configuration, and running it until stopped."""

from __future__ import annotations

import logging
import threading
from typing import Any

from shopify_app.destinations.delivery import Deliverer
from shopify_app.destinations.meta_client import MetaClient
from shopify_app.destinations.wake import make_waker

log = logging.getLogger(__name__)

IDLE_WAIT_SECONDS = 1.0  # wake at least this often: retries whose backoff ran out come due


def meta_client(config: dict[str, Any] | Any) -> MetaClient:
    return MetaClient(config["META_GRAPH_URL"], config["META_API_VERSION"])


def deliverer(config: dict[str, Any] | Any) -> Deliverer:
    return Deliverer(
        meta_client(config),
        batch_size=int(config.get("META_BATCH_SIZE", 1000)),
        concurrency=int(config.get("META_CONCURRENCY", 4)),
    )


def run_delivery_loop(
    config: dict[str, Any] | Any,
    stop: threading.Event,
    idle_wait: float = IDLE_WAIT_SECONDS,
    idle: threading.Event | None = None,
) -> None:
    """Deliver until `stop` is set: each round sends everything due, then the loop waits for a
    NOTIFY (PostgreSQL; one sent during the round ends the wait at once) or `idle_wait`.
    `idle` is set whenever the loop has nothing left and waits (tests wait for it)."""
    sender = deliverer(config)
    waker = make_waker(config["DATABASE_URL"], stop)
    waker.listen()
    try:
        while not stop.is_set():
            try:
                result = sender.deliver_due()
            except Exception:  # the database restarting, say: try again shortly
                log.exception("delivery round failed; trying again in %s s", idle_wait)
                stop.wait(idle_wait)
                continue
            if result.claimed:
                log.info(
                    "meta: %s sent, %s retrying, %s failed, %s expired, %s waiting",
                    result.sent,
                    result.retrying,
                    result.failed,
                    result.expired,
                    result.waiting,
                )
            if idle is not None:
                idle.set()
            waker.wait(idle_wait)
    finally:
        waker.close()
        sender.close()
