"""What every topic handler receives: one authentic, parsed delivery for one shop."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Delivery:
    shop: str  # permanent *.myshopify.com domain = app_id; every query is scoped by it
    topic: str
    webhook_id: str
    payload: dict[str, Any]
    received_at: dt.datetime  # when we first stored it (naive UTC)
    geoip_city_db: str | None = None  # optional city database for enrichment


# The database writes a delivery leads to; run in the transaction that marks it processed.
Write = Callable[[], object]
# A handler reads and computes (no lock held), then returns its writes, or None for none. The
# inbox runs them with the processed mark in one short write transaction, so the SQLite write
# lock is never held while Python works. Handlers are idempotent: a retry may repeat them.
Handler = Callable[[Delivery], Write | None]
