"""Helpers for install and sign-in tests: launch the app from devstore, read devstore's counts."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import requests
from werkzeug.datastructures import MultiDict

from devstore.id_tokens import sign_id_token
from devstore.oauth import sign_query
from models import Shop, utcnow
from tests.conftest import TEST_API_KEY, TEST_API_SECRET
from tests.live import LiveStack

SHOP = "acme.myshopify.com"


def launch(live: LiveStack, shop: str = SHOP, path: str = "") -> requests.Response:
    """Open the app from the shop's admin, following redirects to the rendered page."""
    with requests.Session() as session:
        url = f"{live.devstore_url}/{shop}/admin/apps/{TEST_API_KEY}{path}"
        response = session.get(url, timeout=15)
        response.close()
        return response


def store_status(live: LiveStack, shop: str = SHOP) -> dict[str, Any]:
    with requests.get(f"{live.devstore_url}/_devstore/shops/{shop}", timeout=5) as response:
        return response.json()


def stored_metafield(live: LiveStack, shop: str = SHOP) -> dict[str, Any] | None:
    url = f"{live.devstore_url}/_devstore/shops/{shop}/metafields/sightline/config"
    with requests.get(url, timeout=5) as response:
        return response.json() if response.status_code == 200 else None


def expire_access_tokens(live: LiveStack, shop: str = SHOP) -> None:
    """Expire the token at devstore and in our row, as an hour passing would."""
    url = f"{live.devstore_url}/_devstore/shops/{shop}/expire-access-tokens"
    with requests.post(url, timeout=5) as response:
        assert response.json()["expired"] >= 1
    Shop.update(access_token_expires_at=utcnow() - dt.timedelta(seconds=1)).where(
        Shop.domain == shop
    ).execute()


def id_token(shop: str = SHOP, **overrides: Any) -> str:
    return sign_id_token(shop, TEST_API_KEY, TEST_API_SECRET, **overrides)


def signed(params: dict[str, str], secret: str = TEST_API_SECRET) -> dict[str, str]:
    """`params` plus a fresh timestamp (unless given) and Shopify's query HMAC."""
    params = {"timestamp": str(int(time.time())), **params}
    return {**params, "hmac": sign_query(params, secret)}


def as_multidict(params: dict[str, str]) -> MultiDict[str, str]:
    return MultiDict(list(params.items()))
