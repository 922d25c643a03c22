"""Fixtures for webhook tests: the app and devstore served over HTTP, and a sender for
deliveries signed as Shopify signs them (devstore builds the payloads)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from devstore import webhooks as shopify
from models import Event, WebhookDelivery
from tests.conftest import TEST_API_SECRET
from tests.live import live_stack

SHOP = "acme-outdoors.myshopify.com"
OTHER_SHOP = "other-store.myshopify.com"
OLD_SECRET = "the-previous-client-secret-still-valid-during-rotation"


@dataclass
class Hooks:
    """Sends deliveries to the app under test, as Shopify would."""

    app_url: str
    devstore_url: str

    def send(
        self,
        topic: str,
        payload: dict[str, Any] | bytes,
        *,
        shop: str = SHOP,
        secret: str = TEST_API_SECRET,
        settle: bool = True,
        **options: Any,
    ) -> shopify.Sent:
        """Send a delivery; with `settle`, return once the app has processed it (processing
        follows the acknowledgement, in the app's own thread)."""
        webhook_id = options.setdefault("webhook_id", str(uuid.uuid4()))
        before = attempts_of(webhook_id)
        sent = shopify.send(self.app_url, topic, shop, payload, secret=secret, **options)
        if settle and sent.status == 200 and sent.body.get("status") in ("received", "duplicate"):
            wait_processed(webhook_id, before)
        return sent

    def order(self, shop: str = SHOP, **fields: Any) -> dict[str, Any]:
        return shopify.order(shop, **fields)


@pytest.fixture
def hooks(database_url: str) -> Iterator[Hooks]:
    """The app (with an old secret configured, as during a rotation) and devstore, on loopback."""
    with live_stack(database_url, SHOPIFY_API_SECRET_OLD=OLD_SECRET) as stack:
        yield Hooks(stack.app_url, stack.devstore_url)


def attempts_of(webhook_id: str) -> int:
    row = WebhookDelivery.get_or_none(WebhookDelivery.webhook_id == webhook_id)
    return row.attempts if row else 0


def wait_processed(webhook_id: str, attempts_before: int, timeout: float = 15.0) -> None:
    """Until the delivery is processed, or one more attempt at it has failed (or its row is
    gone: shop/redact erases the shop's deliveries, its own included)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        row = WebhookDelivery.get_or_none(WebhookDelivery.webhook_id == webhook_id)
        if row is None or row.status == "processed" or row.attempts > attempts_before:
            return
        time.sleep(0.02)  # polling the condition, with a deadline
    raise AssertionError(f"delivery {webhook_id} was not processed within {timeout} s")


def wait_all_processed(timeout: float = 15.0) -> None:
    """Until no stored delivery is waiting for its first processing (devstore's uninstall, for
    one, sends app/uninstalled and answers once it is acknowledged)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        waiting = WebhookDelivery.select().where(WebhookDelivery.status == "received")
        if not waiting.exists():
            return
        time.sleep(0.02)  # polling the condition, with a deadline
    raise AssertionError(f"deliveries still unprocessed after {timeout} s")


def purchases(shop: str = SHOP) -> list[Event]:
    return list(
        Event.select()
        .where((Event.app_id == shop) & (Event.event_name == "purchase"))
        .order_by(Event.id)
    )


def inbox(shop: str = SHOP) -> list[WebhookDelivery]:
    return list(
        WebhookDelivery.select().where(WebhookDelivery.app_id == shop).order_by(WebhookDelivery.id)
    )
