"""What a delivery's headers say: topic, shop, webhook id. Read after the signature is checked.

Every header is read in both of Shopify's forms (`X-Shopify-Shop-Domain` and the newer
unprefixed `shopify-shop-domain`). The shop comes from a header only: order payloads do not name
their shop, and headers are not signed, so `webhooks.topic_fit` checks that a payload which does
name one names this one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from webhooks.verify import shopify_header

# Anchored, as Shopify's security checks require: the permanent *.myshopify.com domain only.
SHOP_DOMAIN = re.compile(r"^[a-z0-9][a-z0-9-]*\.myshopify\.com$")
MAX_WEBHOOK_ID = 255
MAX_TOPIC = 64


class EnvelopeError(ValueError):
    """A signed delivery whose headers cannot be used (400)."""


@dataclass(frozen=True)
class Envelope:
    topic: str
    shop: str
    webhook_id: str
    api_version: str
    triggered_at: str


def read_envelope(headers: Mapping[str, str]) -> Envelope:
    """Topic, shop and webhook id of a delivery, or EnvelopeError saying which is missing."""
    topic = shopify_header(headers, "Topic").lower()
    webhook_id = shopify_header(headers, "Webhook-Id")
    if not topic or len(topic) > MAX_TOPIC:
        raise EnvelopeError("missing or invalid topic header")
    if not webhook_id or len(webhook_id) > MAX_WEBHOOK_ID:
        raise EnvelopeError("missing or invalid webhook id header")
    shop = shopify_header(headers, "Shop-Domain").lower()
    if not SHOP_DOMAIN.match(shop):
        raise EnvelopeError("missing or invalid shop domain header")
    return Envelope(
        topic=topic,
        shop=shop,
        webhook_id=webhook_id,
        api_version=shopify_header(headers, "API-Version"),
        triggered_at=shopify_header(headers, "Triggered-At"),
    )
