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


# A handler runs inside the transaction that marks the delivery processed: it either completes
# with it or not at all. It must be idempotent, since a retry may repeat work that was done.
Handler = Callable[[Delivery], None]
