"""Fixtures for Conversions API tests: the app and devstore (with its fake Graph API) over HTTP,
a shop that sends to Meta, and helpers to queue events and read what Meta received."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import requests

from models import AppSettings, Delivery, utcnow
from shopify_app.destinations.delivery import Deliverer
from shopify_app.destinations.meta_client import MetaClient
from shopify_app.ingest.writer import NewEvent, write_events
from tests.live import LiveStack, live_stack

SHOP = "acme-outdoors.myshopify.com"
PIXEL = "1234567890"
TOKEN = "EAAB-devstore-token-0001"
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1"
)


@dataclass
class MetaStandIn:
    """devstore's fake Graph API, seen from a test."""

    url: str

    def faults(self, **spec: Any) -> None:
        response = requests.post(f"{self.url}/_devstore/meta/faults", json=spec, timeout=5)
        assert response.status_code == 200, response.text

    def register(self, pixel_id: str, token: str) -> None:
        response = requests.post(
            f"{self.url}/_devstore/meta/pixels/{pixel_id}", json={"access_token": token}, timeout=5
        )
        assert response.status_code == 200

    def log(self, wait_for: int = 0, timeout: float = 10) -> dict[str, Any]:
        return requests.get(
            f"{self.url}/_devstore/meta/events",
            params={"wait_for": wait_for, "timeout": timeout},
            timeout=timeout + 5,
        ).json()

    def received(self, wait_for: int = 0, timeout: float = 10) -> list[dict[str, Any]]:
        return [r["event"] for r in self.log(wait_for, timeout)["events"]]

    def requests(self) -> int:
        return self.log()["requests"]


@pytest.fixture
def stack(database_url: str) -> Iterator[LiveStack]:
    with live_stack(database_url) as live:
        yield live


@pytest.fixture
def meta(stack: LiveStack) -> MetaStandIn:
    return MetaStandIn(stack.devstore_url)


@pytest.fixture
def shop(stack: LiveStack) -> AppSettings:
    """A shop that sends to Meta with a working pixel and token."""
    return AppSettings.create(app_id=SHOP, pixel_id=PIXEL, access_token=TOKEN, send_to_meta=True)


def client_for(stack: LiveStack) -> MetaClient:
    return MetaClient(stack.app.config["META_GRAPH_URL"], stack.app.config["META_API_VERSION"])


@pytest.fixture
def deliverer(stack: LiveStack) -> Iterator[Deliverer]:
    """One sender thread: request counts and batch contents are exact. Concurrent senders
    have their own tests (test_workers.py, and batches in test_delivery.py)."""
    sender = Deliverer(client_for(stack), concurrency=1)
    yield sender
    sender.close()


def queue_events(
    count: int, *, created_at: dt.datetime | None = None, shop: str = SHOP, **columns: Any
) -> list[str]:
    """Store `count` mapped storefront events (consent given): each queues one Meta delivery."""
    created_at = created_at or utcnow()
    events = [
        NewEvent(
            event_id=f"t-{uuid.uuid4().hex}",
            event_name="add_to_wishlist",
            columns={
                "url": "https://acme-outdoors.myshopify.com/products/red-shoes",
                "user_agent": IPHONE,
                "ip_address": "81.2.69.160",
                "fbp": "fb.1.1596403881668.1116446470",
                "created_at": created_at,
                "custom_data": {"list": "default"},
                **columns,
            },
            meta_event_name="AddToWishlist",
            marketing_consent=True,
        )
        for _ in range(count)
    ]
    ids = write_events(shop, events)
    assert len(ids) == count
    return ids


def statuses() -> dict[str, int]:
    counts: dict[str, int] = {}
    for delivery in Delivery.select(Delivery.status):
        counts[delivery.status] = counts.get(delivery.status, 0) + 1
    return counts


def later(seconds: float) -> dt.datetime:
    return utcnow() + dt.timedelta(seconds=seconds)
