"""The deliveries bench/webhooks.py sends, built and signed before any clock starts."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass

from devstore import webhooks as shopify

SECRET = "bench-webhook-secret-0123456789abcdef"  # noqa: S105 (benchmark-only value)
SHOPS = [f"bench-shop-{i}.myshopify.com" for i in range(20)]


@dataclass(frozen=True)
class Prepared:
    topic: str
    shop: str
    body: bytes
    headers: dict[str, str]

    @property
    def webhook_id(self) -> str:
        return self.headers["X-Shopify-Webhook-Id"]


def signed(topic: str, shop: str, payload: dict) -> Prepared:  # type: ignore[type-arg]
    body = shopify.encode(payload)
    headers = shopify.headers_for(topic, shop, body, SECRET, webhook_id=str(uuid.uuid4()))
    return Prepared(topic, shop, body, headers)


def new_order(rng: random.Random) -> tuple[str, dict]:  # type: ignore[type-arg]
    shop = rng.choice(SHOPS)
    return shop, shopify.order(shop, note_attributes={"_sightline_session": uuid.uuid4().hex})


def mix(count: int, seed: int = 7) -> tuple[list[Prepared], int]:
    """`count` deliveries as a shop sends them (70 % orders/paid of new orders, 15 %
    orders/create of a paid order, 15 % repeats with the same webhook id); and the order count."""
    rng = random.Random(seed)
    deliveries: list[Prepared] = []
    orders: list[tuple[str, dict]] = []  # type: ignore[type-arg]
    while len(deliveries) < count:
        roll = rng.random()
        if roll < 0.70 or not orders:
            shop, order = new_order(rng)
            orders.append((shop, order))
            deliveries.append(signed("orders/paid", shop, order))
        elif roll < 0.85:
            shop, order = rng.choice(orders)
            deliveries.append(signed("orders/create", shop, order))
        else:
            deliveries.append(rng.choice(deliveries))  # a retry: same webhook id and body
    rng.shuffle(deliveries)
    return deliveries, len(orders)


def new_orders(count: int, seed: int) -> list[Prepared]:
    """`count` orders/paid deliveries of new orders (the open-loop load)."""
    rng = random.Random(seed)
    return [signed("orders/paid", *new_order(rng)) for _ in range(count)]


def ignored(count: int) -> list[Prepared]:
    """Signed deliveries of a topic we do not handle: verified, then dropped (the floor)."""
    return [
        signed("products/update", SHOPS[0], {"id": shopify.new_id(), "title": "Linen shirt"})
        for _ in range(count)
    ]
