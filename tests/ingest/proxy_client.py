"""Signed app-proxy requests against the app's test client, signed the way devstore (Shopify's
stand-in) signs them."""

from __future__ import annotations

import json
import uuid
from typing import Any
from urllib.parse import urlencode

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from devstore.proxy import signed_proxy_query
from tests.conftest import TEST_API_SECRET

SHOP = "acme.myshopify.com"
CHROME = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36"
)


def signed_path(path: str, shop: str = SHOP, **kwargs: Any) -> str:
    return f"{path}?{urlencode(signed_proxy_query(shop, TEST_API_SECRET, **kwargs))}"


def post_track(
    client: FlaskClient,
    body: Any,
    *,
    shop: str = SHOP,
    user_agent: str = CHROME,
    ip: str = "8.8.8.8",
    forwarded_for: str | None = None,
    raw: bytes | None = None,
    **sign: Any,
) -> TestResponse:
    data = raw if raw is not None else json.dumps(body).encode()
    return client.post(
        signed_path("/proxy/track", shop, **sign),
        data=data,
        content_type="text/plain;charset=UTF-8",  # what sendBeacon sends for a string
        # Shopify's proxy appends the address it saw to whatever the shopper sent.
        headers={"User-Agent": user_agent, "X-Forwarded-For": forwarded_for or ip},
    )


def event(name: str = "page_view", **fields: Any) -> dict[str, Any]:
    return {
        "id": fields.pop("id", uuid.uuid4().hex),
        "name": name,
        "url": fields.pop("url", f"https://{SHOP}/products/red-shoes"),
        "page_type": fields.pop("page_type", "product"),
        **fields,
    }


def batch(*events: dict[str, Any], **context: Any) -> dict[str, Any]:
    return {"session_id": "sess_0123456789", "marketing": True, **context, "events": list(events)}
