"""Reconciliation tests: the app and devstore over HTTP, an installed shop, and devstore's
orders made with or without their webhook."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import requests

from devstore.id_tokens import sign_id_token
from models import Event
from tests.conftest import TEST_API_KEY, TEST_API_SECRET
from tests.install.conftest import SHOP, launch
from tests.live import LiveStack, live_stack
from tests.webhooks.conftest import wait_all_processed

OTHER_SHOP = "other-store.myshopify.com"


@dataclass
class Store:
    """devstore's orders and the app's API, as one shop's admin and Shopify would use them."""

    live: LiveStack
    shop: str = SHOP

    def order(self, *, webhook: bool = True, **spec: Any) -> str:
        url = f"{self.live.devstore_url}/_devstore/shops/{self.shop}/orders"
        response = requests.post(url, json={"send_webhook": webhook, **spec}, timeout=15)
        assert response.status_code == 201, response.text
        body = response.json()
        if webhook:
            assert body["webhook_status"] == 200
            wait_all_processed()  # the acknowledgement comes before the purchase is stored
        return str(body["order"]["id"])

    def late_webhook(self, order_id: str) -> int:
        url = f"{self.live.devstore_url}/_devstore/shops/{self.shop}/orders/{order_id}/webhook"
        status = requests.post(url, timeout=15).json()["webhook_status"]
        wait_all_processed()
        return status

    def faults(self, *faults: dict[str, Any]) -> None:
        url = f"{self.live.devstore_url}/_devstore/shops/{self.shop}/admin-api-faults"
        assert requests.post(url, json=list(faults), timeout=5).status_code == 200

    def api(self, method: str, path: str) -> requests.Response:
        token = sign_id_token(self.shop, TEST_API_KEY, TEST_API_SECRET)
        return requests.request(
            method,
            f"{self.live.app_url}{path}",
            headers={"Authorization": f"Bearer {token}"},
            timeout=60,
        )


@pytest.fixture
def live(database_url: str) -> Iterator[LiveStack]:
    """Pages of 3 orders, so a day of 7 is read over three pages."""
    with live_stack(database_url, RECONCILE_PAGE_SIZE=3) as stack:
        yield stack


@pytest.fixture
def store(live: LiveStack) -> Store:
    assert launch(live, SHOP).status_code == 200
    return Store(live)


def purchases_of(order_id: str, shop: str = SHOP) -> int:
    return (
        Event.select()
        .where(
            (Event.app_id == shop) & (Event.event_name == "purchase") & (Event.order_id == order_id)
        )
        .count()
    )
