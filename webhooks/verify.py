"""Webhook signatures: base64 HMAC-SHA256 of the raw body, checked before anything is parsed."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable, Mapping

# Classic deliveries prefix every header with X-Shopify-; the newer "Events" delivery type sends
# the same names unprefixed (shopify-hmac-sha256, ...). Lookups are case-insensitive in Flask.
HEADER_PREFIXES = ("X-Shopify-", "Shopify-")


def shopify_header(headers: Mapping[str, str], name: str) -> str:
    """The value of Shopify header `name` (e.g. "Topic") in either form; "" when absent."""
    for prefix in HEADER_PREFIXES:
        value = headers.get(prefix + name)
        if value:
            return value.strip()
    return ""


def sign(body: bytes, secret: str) -> str:
    """The signature Shopify puts in X-Shopify-Hmac-Sha256 for `body`."""
    digest = hmac.new(secret.encode(), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def is_authentic(body: bytes, signature: str, secrets: Iterable[str | None]) -> bool:
    """True when `signature` matches `body` under any configured secret (current, then old).

    Compared as bytes in constant time; the old secret matters because a rotated secret takes
    up to an hour to reach every delivery.
    """
    if not signature:
        return False
    presented = signature.encode("ascii", errors="replace")
    matched = False
    for secret in secrets:
        if secret:
            # No early exit: the time taken does not reveal which secret matched.
            matched |= hmac.compare_digest(presented, sign(body, secret).encode())
    return matched
