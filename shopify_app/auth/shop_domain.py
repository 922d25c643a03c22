"""The shop domain check: anchored, so `x.myshopify.com.evil.com` and `a.myshopify.com/x` fail."""

from __future__ import annotations

import re

# Shopify's own check (security check WEAK_SHOP_VALIDATION), matched against the whole value.
SHOP_DOMAIN = re.compile(r"[a-z0-9][a-z0-9-]*\.myshopify\.com")


def valid_shop_domain(value: str | None) -> str | None:
    """The lower-cased shop domain when `value` is exactly `{handle}.myshopify.com`, else None."""
    if not value:
        return None
    candidate = value.lower()
    return candidate if SHOP_DOMAIN.fullmatch(candidate) else None
