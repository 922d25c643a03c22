"""Helpers for admin API tests: an authenticated client per shop."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import pytest
from flask.testing import FlaskClient

from devstore.id_tokens import sign_id_token
from tests.conftest import TEST_API_KEY, TEST_API_SECRET
from tests.install.conftest import launch

SHOP_A = "shop-a.myshopify.com"
SHOP_B = "shop-b.myshopify.com"


class ShopClient:
    """Calls the admin API as one shop's admin would: a fresh ID token on every request."""

    def __init__(self, client: FlaskClient, shop: str) -> None:
        self.client = client
        self.shop = shop

    def _headers(self) -> dict[str, str]:
        token = sign_id_token(self.shop, TEST_API_KEY, TEST_API_SECRET)
        return {"Authorization": f"Bearer {token}"}

    def get(self, path: str) -> Any:
        return self.client.get(path, headers=self._headers())

    def post(self, path: str, body: Any) -> Any:
        return self.client.post(path, json=body, headers=self._headers())

    def put(self, path: str, body: Any) -> Any:
        return self.client.put(path, json=body, headers=self._headers())

    def delete(self, path: str) -> Any:
        return self.client.delete(path, headers=self._headers())

    def create(self, **fields: Any) -> dict[str, Any]:
        event = {"display_name": "Add to wishlist", "event_type": "click", "selector": ".wishlist"}
        event.update(fields)
        response = self.post("/api/custom-events", {"action": "create", "eventData": event})
        assert response.status_code == 201, response.get_json()
        return response.get_json()["event"]


@pytest.fixture
def shop_a(client: FlaskClient) -> ShopClient:
    return ShopClient(client, SHOP_A)


@pytest.fixture
def shop_b(client: FlaskClient) -> ShopClient:
    return ShopClient(client, SHOP_B)


def admin_url(live, path: str) -> str:
    token = sign_id_token(SHOP_A, TEST_API_KEY, TEST_API_SECRET, ttl=600)
    query = urlencode(
        {
            "shop": SHOP_A,
            "embedded": "1",
            "host": "YWRtaW4uc2hvcGlmeS5jb20vc3RvcmUvc2hvcC1h",
            "id_token": token,
        }
    )
    return f"{live.app_url}{path}?{query}"


@pytest.fixture
def admin(live, page):  # type: ignore[no-untyped-def]
    """Shop A has installed the app; the page shows its Events screen."""
    assert launch(live, SHOP_A).status_code == 200
    page.set_default_timeout(10_000)
    page.goto(admin_url(live, "/events"))
    return page
