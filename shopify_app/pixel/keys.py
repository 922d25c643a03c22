"""Per-shop pixel keys: 256 random bits, sent by the pixel with every batch, stored as SHA-256.

A fresh key is made whenever the app (re)creates the pixel's settings: only the hash is kept, so
the key cannot be sent again later, and a new one costs nothing. Checks compare digests in
constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from models import Shop, ShopState, WebPixel

KEY_BYTES = 32


def new_key() -> str:
    return secrets.token_urlsafe(KEY_BYTES)  # 43 characters


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


# Compared when the shop has no key, so an unknown shop costs the same as a wrong key.
_NO_KEY = key_hash("no key: nothing matches this")


def key_is_valid(shop: str, key: object) -> bool:
    """True when `key` is the shop's current pixel key and the app is installed there."""
    if not isinstance(shop, str) or not isinstance(key, str) or not key or len(key) > 256:
        return False
    row = (
        WebPixel.select(WebPixel.key_hash, Shop.state)
        .join(Shop, on=(Shop.domain == WebPixel.app_id))
        .where(WebPixel.app_id == shop)
        .tuples()
        .first()
    )
    stored, state = row if row else (_NO_KEY, None)
    matches = hmac.compare_digest(stored, key_hash(key))
    return matches and row is not None and state != ShopState.UNINSTALLED
