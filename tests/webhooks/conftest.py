"""Fixtures for webhook tests: the app and devstore served over HTTP, and a sender for
deliveries signed as Shopify signs them (devstore builds the payloads)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from devstore import webhooks as shopify
from devstore.app import create_devstore
from devstore.server import BackgroundServer, free_port
from devstore.state import DevstoreConfig
from models import Event, WebhookDelivery
from models import db as db_proxy
from shopify_app import create_app
from tests.conftest import TEST_API_KEY, TEST_API_SECRET, app_config, release

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
        **options: Any,
    ) -> shopify.Sent:
        return shopify.send(self.app_url, topic, shop, payload, secret=secret, **options)

    def order(self, shop: str = SHOP, **fields: Any) -> dict[str, Any]:
        return shopify.order(shop, **fields)


@pytest.fixture
def hooks(database_url: str) -> Iterator[Hooks]:
    """The app (with an old secret configured, as during a rotation) and devstore, on loopback."""
    app_port, store_port = free_port(), free_port()
    app_url, store_url = f"http://127.0.0.1:{app_port}", f"http://127.0.0.1:{store_port}"
    store = create_devstore(DevstoreConfig(TEST_API_KEY, TEST_API_SECRET, app_url))
    app = create_app(
        app_config(
            database_url,
            APP_URL=app_url,
            SHOPIFY_API_SECRET_OLD=OLD_SECRET,
            SHOPIFY_ADMIN_URL_TEMPLATE=f"{store_url}/{{shop}}",
            META_GRAPH_URL=f"{store_url}/meta",
        )
    )
    with BackgroundServer(store, store_port), BackgroundServer(app, app_port):
        yield Hooks(app_url, store_url)
    release(db_proxy.obj)


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
