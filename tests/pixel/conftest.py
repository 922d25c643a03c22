"""Fixtures for web pixel tests: the app and devstore over HTTP, a shop installed through
devstore (so its pixel and key exist as Shopify would hold them), and Shopify-shaped events."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import requests

from models import AppSettings, Event
from tests.install.conftest import launch
from tests.live import LiveStack, live_stack

SHOP = "acme.myshopify.com"
PIXEL = "1234567890"
META_TOKEN = "EAAB-devstore-token-0001"
CHROME_UA = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/156.0.0.0 Safari/537.36"
)


@dataclass
class PixelShop:
    live: LiveStack
    shop: str

    def pixel(self) -> dict[str, Any] | None:
        url = f"{self.live.devstore_url}/_devstore/shops/{self.shop}/web-pixel"
        with requests.get(url, timeout=5) as response:
            return response.json() if response.status_code == 200 else None

    @property
    def key(self) -> str:
        pixel = self.pixel()
        assert pixel is not None, "the app created no web pixel"
        return pixel["settings"]["shopKey"]

    def post(
        self, events: list[Any], *, key: str | None = None, user_agent: str = CHROME_UA, **body: Any
    ) -> Any:
        payload = {"shop": self.shop, "key": self.key if key is None else key, "events": events}
        payload.update(body)
        return requests.post(
            f"{self.live.app_url}/pixel/events",
            data=json.dumps(payload),
            headers={"Content-Type": "text/plain", "User-Agent": user_agent},
            timeout=10,
        )

    def events(self) -> list[Event]:
        return list(Event.select().where(Event.app_id == self.shop).order_by(Event.id))


@pytest.fixture
def live(database_url: str) -> Iterator[LiveStack]:
    with live_stack(database_url) as stack:
        yield stack


@pytest.fixture
def installed(live: LiveStack) -> PixelShop:
    response = launch(live, SHOP)
    assert response.status_code == 200, response.text
    return PixelShop(live, SHOP)


def meta_shop(marketing_policy: str = "send") -> None:
    """The shop sends to Meta (a pixel and token devstore's fake Graph API accepts)."""
    AppSettings.get_or_create(app_id=SHOP)
    AppSettings.update(
        pixel_id=PIXEL,
        access_token=META_TOKEN,
        send_to_meta=True,
        consent_when_unknown=marketing_policy,
    ).where(AppSettings.app_id == SHOP).execute()


def money(amount: float, currency: str = "EUR") -> dict[str, Any]:
    return {"amount": amount, "currencyCode": currency}


def checkout(order_id: str | None = None, **attributes: str) -> dict[str, Any]:
    """A checkout event's `data`: `{"checkout": Checkout}` as the web pixel API documents it."""
    data: dict[str, Any] = {
        "token": "c1a2b3",
        "currencyCode": "EUR",
        "totalPrice": money(59.8),
        "subtotalPrice": money(59.8),
        "email": "ada@example.com",
        "phone": "+44 7700 900123",
        "billingAddress": {
            "firstName": "Ada",
            "lastName": "Lovelace",
            "city": "London",
            "zip": "SW1Y 4JH",
            "countryCode": "GB",
        },
        "attributes": [{"key": k, "value": v} for k, v in attributes.items()],
        "lineItems": [
            {
                "id": "1",
                "quantity": 2,
                "title": "Wool socks",
                "variant": {
                    "id": "gid://shopify/ProductVariant/42123456000002",
                    "sku": "SOCKS-2P",
                    "price": money(9.95),
                    "product": {"id": "gid://shopify/Product/7712345000002", "title": "Wool socks"},
                },
            }
        ],
        "order": None,
    }
    if order_id:
        data["order"] = {"id": order_id, "customer": {"id": "5551234"}}
    return {"checkout": data}


def event(name: str, data: dict[str, Any], *, marketing: bool | None = True, **extra: Any) -> dict:
    """One event as the pixel sends it (src/index.js `describe`)."""
    return {
        "id": f"sh-{uuid.uuid4()}",
        "name": name,
        "timestamp": "2026-11-26T03:00:00.000Z",
        "client_id": "client-1",
        "url": f"https://{SHOP}/checkouts/cn/c1a2b3",
        "marketing": marketing,
        "data": data,
        **extra,
    }
