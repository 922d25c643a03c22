"""Does a signed body belong to the headers it came with?

Shopify signs the body only: topic, shop and webhook id travel in unsigned headers. A captured
delivery could otherwise be re-sent under another topic or for another shop (an order body sent
as `shop/redact` for a shop it never belonged to). So before any handler runs, the body must
have the fields its topic always carries, and where it names a shop, it must name the header's.
A delivery that fails is refused (400) and kept as `rejected`: nothing else is touched, and no
retry can make it fit.
"""

from __future__ import annotations

from typing import Any

from webhooks.payload import PayloadError

# Fields every delivery of the topic carries (shapes from Shopify's payload reference), each
# with the JSON type it must have.
REQUIRED: dict[str, dict[str, tuple[type, ...]]] = {
    "orders/create": {"id": (int, str), "line_items": (list,)},
    "orders/paid": {"id": (int, str), "line_items": (list,)},
    "app/uninstalled": {"id": (int, str), "myshopify_domain": (str,)},
    "shop/redact": {"shop_id": (int, str), "shop_domain": (str,)},
    "customers/redact": {
        "shop_id": (int, str),
        "shop_domain": (str,),
        "customer": (dict,),
        "orders_to_redact": (list,),
    },
    "customers/data_request": {
        "shop_id": (int, str),
        "shop_domain": (str,),
        "customer": (dict,),
        "data_request": (dict,),
    },
}
# Payload fields that name the shop by its permanent domain. The Shop resource's `domain` is its
# primary domain, often the merchant's own (www.example.com): compared only when it is a
# *.myshopify.com name, the only kind that can name another shop.
SHOP_FIELDS = ("shop_domain", "myshopify_domain")
PRIMARY_DOMAIN_FIELD = "domain"
MYSHOPIFY = ".myshopify.com"


class TopicMismatchError(PayloadError):
    """The body does not fit the topic or names another shop (400, kept as rejected)."""


def check_fits(topic: str, shop: str, payload: dict[str, Any]) -> None:
    """Raise TopicMismatchError unless `payload` fits `topic` and names no shop but `shop`."""
    for name, types in REQUIRED.get(topic, {}).items():
        value = payload.get(name)
        if value is None or isinstance(value, bool) or not isinstance(value, types):
            raise TopicMismatchError(f"the {topic} payload needs '{name}'")
    for name in SHOP_FIELDS:
        if name in payload and _domain(payload[name]) != shop:
            raise TopicMismatchError(f"payload {name} is not the shop in the headers")
    primary = _domain(payload.get(PRIMARY_DOMAIN_FIELD))
    if primary.endswith(MYSHOPIFY) and primary != shop:
        raise TopicMismatchError("payload domain is not the shop in the headers")


def _domain(value: Any) -> str:
    return value.strip().lower() if isinstance(value, str) else ""
