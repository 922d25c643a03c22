"""Signed webhook deliveries, as Shopify sends them: realistic payloads for every topic we
subscribe to, the classic `X-Shopify-*` or the newer unprefixed headers, retries and duplicates
with the same webhook id.

Tests call the functions directly; `POST /_devstore/webhooks` does the same over HTTP for demos
(`{"topic": "orders/paid", "shop": "...", "order": {...overrides}, "times": 2}`), and
`GET /_devstore/webhooks` lists what was sent and how the app answered.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import random
import uuid
from dataclasses import dataclass
from typing import Any

import requests
from flask import Blueprint, current_app, jsonify, request

from devstore.state import DevstoreState

bp = Blueprint("devstore_webhooks", __name__)

WEBHOOK_PATH = "/webhooks"
CLASSIC = "classic"  # X-Shopify-Topic, X-Shopify-Hmac-Sha256, ...
EVENTS = "events"  # shopify-topic, shopify-hmac-sha256, shopify-shop-domain, ...
IPHONE_SAFARI = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)


def signature(body: bytes, secret: str) -> str:
    """Shopify's X-Shopify-Hmac-Sha256: base64 of the HMAC-SHA256 of the raw body."""
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def headers_for(
    topic: str,
    shop: str,
    body: bytes,
    secret: str,
    *,
    webhook_id: str,
    api_version: str = "2026-10",
    style: str = CLASSIC,
) -> dict[str, str]:
    """The headers of one delivery of `body`, signed with `secret`."""
    event_id = str(uuid.uuid4())
    if style == EVENTS:
        return {
            "Content-Type": "application/json",
            "shopify-topic": topic,
            "shopify-hmac-sha256": signature(body, secret),
            "shopify-shop-domain": shop,
            "shopify-api-version": api_version,
            "shopify-webhook-id": webhook_id,
            "shopify-event-id": event_id,
            "shopify-triggered-at": _now(),
            "shopify-handle": "sightline",
        }
    return {
        "Content-Type": "application/json",
        "X-Shopify-Topic": topic,
        "X-Shopify-Hmac-Sha256": signature(body, secret),
        "X-Shopify-Shop-Domain": shop,
        "X-Shopify-API-Version": api_version,
        "X-Shopify-Webhook-Id": webhook_id,
        "X-Shopify-Event-Id": event_id,
        "X-Shopify-Triggered-At": _now(),
        "X-Shopify-Name": "sightline",
    }


def encode(payload: dict[str, Any] | bytes) -> bytes:
    """Bytes as given; objects as Shopify serialises them (compact JSON, UTF-8)."""
    if isinstance(payload, bytes):
        return payload
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()


@dataclass(frozen=True)
class Sent:
    webhook_id: str
    status: int
    body: dict[str, Any]


def send(
    app_url: str,
    topic: str,
    shop: str,
    payload: dict[str, Any] | bytes,
    *,
    secret: str,
    webhook_id: str | None = None,
    style: str = CLASSIC,
    headers: dict[str, str] | None = None,
    timeout: float = 10,
) -> Sent:
    """POST one signed delivery to the app; `headers` override or add any header."""
    body = encode(payload)
    webhook_id = webhook_id or str(uuid.uuid4())
    all_headers = headers_for(topic, shop, body, secret, webhook_id=webhook_id, style=style)
    all_headers.update(headers or {})
    response = requests.post(
        app_url.rstrip("/") + WEBHOOK_PATH, data=body, headers=all_headers, timeout=timeout
    )
    try:
        answer = response.json()
    except ValueError:
        answer = {"raw": response.text}
    finally:
        response.close()
    return Sent(webhook_id, response.status_code, answer if isinstance(answer, dict) else {})


def send_until_acknowledged(
    app_url: str,
    topic: str,
    shop: str,
    payload: dict[str, Any] | bytes,
    *,
    secret: str,
    attempts: int = 9,
    webhook_id: str | None = None,
) -> list[Sent]:
    """Shopify's retry policy without the waiting: the first try plus up to 8 retries, all with
    the same webhook id and payload, until the app answers 2xx."""
    webhook_id = webhook_id or str(uuid.uuid4())
    tries: list[Sent] = []
    for _ in range(attempts):
        tries.append(send(app_url, topic, shop, payload, secret=secret, webhook_id=webhook_id))
        if 200 <= tries[-1].status < 300:
            break
    return tries


# ---- payloads ----------------------------------------------------------------------------------


def new_id() -> int:
    """A Shopify-sized numeric id."""
    return random.randint(5_000_000_000_000, 9_999_999_999_999)


def order(
    shop: str,
    order_id: int | None = None,
    *,
    total_price: str = "59.80",
    currency: str = "EUR",
    financial_status: str = "paid",
    note_attributes: dict[str, str] | None = None,
    landing_site: str | None = "/products/linen-shirt?utm_source=facebook&utm_medium=paid",
    referring_site: str | None = "https://l.facebook.com/",
    browser_ip: str | None = "81.2.69.160",
    user_agent: str = IPHONE_SAFARI,
    customer_id: int | None = None,
    email: str = "ada@example.com",
    phone: str = "+44 7700 900123",
) -> dict[str, Any]:
    """An order as the REST Admin API (and so the webhook) renders it; two line items."""
    order_id = order_id or new_id()
    customer_id = customer_id or new_id()
    created = dt.datetime.now(dt.UTC).replace(microsecond=0)
    stamp = created.isoformat()
    number = 1000 + order_id % 9000
    address = {
        "first_name": "Ada",
        "last_name": "Lovelace",
        "address1": "12 St James's Square",
        "city": "London",
        "zip": "SW1Y 4JH",
        "province": "England",
        "province_code": "ENG",
        "country": "United Kingdom",
        "country_code": "GB",
        "phone": phone,
    }
    return {
        "id": order_id,
        "admin_graphql_api_id": f"gid://shopify/Order/{order_id}",
        "name": f"#{number}",
        "order_number": number,
        "number": number - 1000,
        "confirmation_number": uuid.uuid4().hex[:9].upper(),
        "token": uuid.uuid4().hex,
        "cart_token": uuid.uuid4().hex,
        "checkout_token": uuid.uuid4().hex,
        "created_at": stamp,
        "processed_at": stamp,
        "updated_at": stamp,
        "email": email,
        "contact_email": email,
        "phone": phone,
        "currency": currency,
        "presentment_currency": currency,
        "total_price": total_price,
        "current_total_price": total_price,
        "subtotal_price": total_price,
        "total_tax": "9.97",
        "total_discounts": "0.00",
        "total_price_set": {
            "shop_money": {"amount": total_price, "currency_code": currency},
            "presentment_money": {"amount": total_price, "currency_code": currency},
        },
        "financial_status": financial_status,
        "fulfillment_status": None,
        "source_name": "web",
        "test": False,
        "buyer_accepts_marketing": False,
        "browser_ip": browser_ip,
        "landing_site": landing_site,
        "referring_site": referring_site,
        "note": None,
        "note_attributes": [
            {"name": name, "value": value} for name, value in (note_attributes or {}).items()
        ],
        "client_details": {
            "accept_language": "en-GB,en;q=0.9",
            "browser_height": 844,
            "browser_ip": browser_ip,
            "browser_width": 390,
            "session_hash": uuid.uuid4().hex,
            "user_agent": user_agent,
        },
        "customer": {
            "id": customer_id,
            "email": email,
            "phone": phone,
            "first_name": "Ada",
            "last_name": "Lovelace",
            "state": "enabled",
            "verified_email": True,
            "currency": currency,
            "created_at": stamp,
            "admin_graphql_api_id": f"gid://shopify/Customer/{customer_id}",
        },
        "billing_address": address,
        "shipping_address": address,
        "discount_codes": [],
        "line_items": [
            {
                "id": new_id(),
                "product_id": 7_712_345_000_001,
                "variant_id": 42_123_456_000_001,
                "sku": "LINEN-SHIRT-M",
                "title": "Linen shirt",
                "variant_title": "M",
                "name": "Linen shirt - M",
                "vendor": "Acme",
                "quantity": 1,
                "price": "39.90",
                "requires_shipping": True,
                "taxable": True,
            },
            {
                "id": new_id(),
                "product_id": 7_712_345_000_002,
                "variant_id": 42_123_456_000_002,
                "sku": "SOCKS-2P",
                "title": "Wool socks",
                "variant_title": "2 pairs",
                "name": "Wool socks - 2 pairs",
                "vendor": "Acme",
                "quantity": 2,
                "price": "9.95",
                "requires_shipping": True,
                "taxable": True,
            },
        ],
        "order_status_url": f"https://{shop}/orders/{uuid.uuid4().hex}/authenticate",
    }


def shop_resource(shop: str, shop_id: int = 548_380_009) -> dict[str, Any]:
    """The Shop resource, as `app/uninstalled` carries it."""
    handle = shop.split(".")[0]
    return {
        "id": shop_id,
        "name": handle.replace("-", " ").title(),
        "email": f"owner@{handle}.example",
        "domain": shop,
        "myshopify_domain": shop,
        "country_code": "GB",
        "currency": "EUR",
        "plan_name": "basic",
        "created_at": _now(),
    }


def shop_redact(shop: str, shop_id: int = 548_380_009) -> dict[str, Any]:
    return {"shop_id": shop_id, "shop_domain": shop}


def customers_redact(
    shop: str,
    customer_id: int,
    orders: list[int],
    *,
    email: str = "ada@example.com",
    phone: str = "+44 7700 900123",
) -> dict[str, Any]:
    return {
        "shop_id": 548_380_009,
        "shop_domain": shop,
        "customer": {"id": customer_id, "email": email, "phone": phone},
        "orders_to_redact": orders,
    }


def customers_data_request(
    shop: str,
    customer_id: int,
    orders: list[int],
    *,
    request_id: int | None = None,
    email: str = "ada@example.com",
    phone: str = "+44 7700 900123",
) -> dict[str, Any]:
    return {
        "shop_id": 548_380_009,
        "shop_domain": shop,
        "orders_requested": orders,
        "customer": {"id": customer_id, "email": email, "phone": phone},
        "data_request": {"id": request_id or new_id()},
    }


# ---- HTTP surface for demos --------------------------------------------------------------------


def _log(state: DevstoreState) -> list[dict[str, Any]]:
    with state.lock:
        return state.section("webhooks").setdefault("sent", [])


@bp.post("/_devstore/webhooks")
def send_from_devstore():  # type: ignore[no-untyped-def]
    """Build and send a delivery to the app; `times` > 1 repeats it with the same webhook id."""
    state: DevstoreState = current_app.extensions["devstore"]
    spec = request.get_json(silent=True) or {}
    topic, shop = str(spec.get("topic", "orders/paid")), str(spec.get("shop", ""))
    if not shop.endswith(".myshopify.com"):
        return jsonify(error="shop must be a *.myshopify.com domain"), 400
    payload = spec.get("payload")
    if payload is None:
        builders = {
            "orders/paid": lambda: order(shop, **(spec.get("order") or {})),
            "orders/create": lambda: order(
                shop, **{"financial_status": "pending", **(spec.get("order") or {})}
            ),
            "app/uninstalled": lambda: shop_resource(shop),
            "shop/redact": lambda: shop_redact(shop),
        }
        if topic not in builders:
            return jsonify(error=f"give a payload for {topic}"), 400
        payload = builders[topic]()
    webhook_id = str(spec.get("webhook_id") or uuid.uuid4())
    config = state.config
    answers = [
        send(config.app_url, topic, shop, payload, secret=config.api_secret, webhook_id=webhook_id)
        for _ in range(max(1, min(int(spec.get("times", 1)), 10)))
    ]
    with state.lock:
        _log(state).extend(
            {"webhook_id": webhook_id, "topic": topic, "shop": shop, "status": a.status}
            for a in answers
        )
    return jsonify(
        webhook_id=webhook_id, payload=payload, responses=[[a.status, a.body] for a in answers]
    )


@bp.get("/_devstore/webhooks")
def sent_log():  # type: ignore[no-untyped-def]
    state: DevstoreState = current_app.extensions["devstore"]
    with state.lock:
        return jsonify(sent=list(_log(state)))
