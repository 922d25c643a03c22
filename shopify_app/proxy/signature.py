"""Shopify app-proxy signatures: every request Shopify forwards from `/apps/sightline/*` carries
`shop`, `logged_in_customer_id`, `path_prefix`, `timestamp` and a hex HMAC-SHA256 `signature`
of the other query parameters (grouped, sorted, concatenated without separators)."""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

MAX_SKEW_SECONDS = 90  # what Shopify's own libraries accept either way
SHOP_DOMAIN = re.compile(r"[a-z0-9][a-z0-9-]*\.myshopify\.com")
# A repeated one of these could smuggle a second value past the signature.
# The customer id and prefix too: the signature covers their joined values, but we read one.
SINGLE_VALUED = ("shop", "signature", "timestamp", "hmac", "logged_in_customer_id", "path_prefix")


class SignatureError(ValueError):
    """The request did not come from Shopify's app proxy (or came too late)."""


@dataclass(frozen=True)
class ProxyRequest:
    shop: str
    logged_in_customer_id: str | None
    path_prefix: str | None


def signature_message(params: Iterable[tuple[str, str]]) -> str:
    """The signed text: repeated keys joined with ',', sorted by key, `key=value` concatenated."""
    grouped: dict[str, list[str]] = {}
    for key, value in params:
        if key != "signature":
            grouped.setdefault(key, []).append(value)
    return "".join(f"{key}={','.join(grouped[key])}" for key in sorted(grouped))


def sign(params: Iterable[tuple[str, str]], secret: str) -> str:
    """The hex signature Shopify adds for these parameters."""
    message = signature_message(params).encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def verify(
    params: Sequence[tuple[str, str]],
    secrets: Sequence[str],
    *,
    now: float | None = None,
) -> ProxyRequest:
    """The verified proxy facts of a request's query `params`; raises SignatureError."""
    values: dict[str, list[str]] = {}
    for key, value in params:
        values.setdefault(key, []).append(value)
    for key in SINGLE_VALUED:
        if len(values.get(key, [])) > 1:
            raise SignatureError(f"repeated '{key}' parameter")
    signature = (values.get("signature") or [""])[0]
    if not signature:
        raise SignatureError("missing signature")
    given = signature.encode("utf-8", "replace")  # bytes: compare_digest refuses non-ASCII str
    if not any(hmac.compare_digest(sign(params, s).encode(), given) for s in secrets if s):
        raise SignatureError("invalid signature")
    raw_timestamp = (values.get("timestamp") or [""])[0]
    if not (raw_timestamp.isascii() and raw_timestamp.isdigit() and len(raw_timestamp) <= 12):
        raise SignatureError("missing or malformed timestamp")
    if abs((time.time() if now is None else now) - int(raw_timestamp)) > MAX_SKEW_SECONDS:
        raise SignatureError("stale timestamp")
    shop = (values.get("shop") or [""])[0]
    if not SHOP_DOMAIN.fullmatch(shop):
        raise SignatureError("missing or malformed shop")
    customer = (values.get("logged_in_customer_id") or [""])[0]
    prefix = (values.get("path_prefix") or [""])[0]
    return ProxyRequest(shop, customer or None, prefix or None)
