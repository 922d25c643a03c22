"""Shopify's query-string HMAC (install and callback redirects), checked in constant time."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Iterable

from werkzeug.datastructures import MultiDict

# Shopify's JS library rejects timestamps more than 90 s away from now.
TIMESTAMP_TOLERANCE_SECONDS = 90


def _pair(key: str, value: str) -> str:
    # Escapes as ShopifyAPI's Session.calculate_hmac: the signed message is unambiguous even
    # when values contain `&`, `=` or `%`.
    key = key.replace("%", "%25").replace("=", "%3D")
    value = value.replace("%", "%25")
    return f"{key}={value}".replace("&", "%26")


def query_message(params: MultiDict[str, str]) -> str:
    """The signed message: every param but `hmac`/`signature`, sorted, `key=value` joined by `&`."""
    pairs = []
    for key in params:
        if key in ("hmac", "signature"):
            continue
        values = params.getlist(key)
        if key.endswith("[]"):  # ids[]=1&ids[]=2 is signed as ids=["1", "2"]
            pairs.append((key[:-2], json.dumps(values)))
        else:
            pairs.append((key, values[-1]))
    return "&".join(sorted(_pair(key, value) for key, value in pairs))


def sign(params: MultiDict[str, str], secret: str) -> str:
    return hmac.new(secret.encode(), query_message(params).encode(), hashlib.sha256).hexdigest()


def verify_query(
    params: MultiDict[str, str], secrets: Iterable[str | None], *, now: float | None = None
) -> bool:
    """True when `hmac` matches under one of `secrets` and `timestamp` is within ±90 s."""
    if any(len(params.getlist(key)) > 1 for key in params if not key.endswith("[]")):
        # `shop=a&shop=b`: the signature would cover one value and the view read another.
        return False
    given = params.get("hmac", "").lower().encode("utf-8", "replace")
    raw_timestamp = params.get("timestamp", "")
    if not given or not (raw_timestamp.isascii() and raw_timestamp.isdigit()):
        return False
    now = time.time() if now is None else now
    if len(raw_timestamp) > 12 or abs(now - int(raw_timestamp)) > TIMESTAMP_TOLERANCE_SECONDS:
        return False
    # Bytes, not str: compare_digest refuses non-ASCII str, and a 500 must not be one query away.
    return any(
        hmac.compare_digest(sign(params, secret).encode(), given) for secret in secrets if secret
    )
