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


# A handler must be idempotent: a retry may repeat work that was already done. It does its
# reading and computing first and writes in one short transaction (webhooks.storage).
Handler = Callable[[Delivery], None]
