"""Customer matching keys for the Conversions API, hashed as Meta requires, never stored raw.

Only SHA-256 digests of values normalised by Meta's rules (`destinations/meta_normalize.py`) are
kept (Meta's `user_data` format), so the events table never holds a shopper's email or phone in
clear; `customers/redact` deletes them with the events they belong to.
"""

from __future__ import annotations

from typing import Any

from shopify_app.destinations.meta_normalize import hash_field, sha256
from webhooks.payload import mapping, text

__all__ = ["sha256", "user_data"]


def user_data(order: dict[str, Any]) -> dict[str, str]:
    """Hashed em, ph, fn, ln, external_id, ct, st, zp, country from the order; absent keys
    omitted."""
    customer = mapping(order.get("customer"))
    address = mapping(order.get("billing_address")) or mapping(order.get("shipping_address"))
    values = {
        "em": text(order.get("email")) or text(customer.get("email")),
        "ph": text(order.get("phone")) or text(customer.get("phone")) or text(address.get("phone")),
        "fn": text(customer.get("first_name")) or text(address.get("first_name")),
        "ln": text(customer.get("last_name")) or text(address.get("last_name")),
        "external_id": text(customer.get("id"), 32),
        "ct": text(address.get("city")),
        "st": text(address.get("province_code")),
        "zp": text(address.get("zip")),
        "country": text(address.get("country_code"), 2),
    }
    hashed = {key: hash_field(key, value) for key, value in values.items()}
    return {key: value for key, value in hashed.items() if value}
