"""ID tokens exactly as Shopify's admin signs them for an embedded app (HS256, client secret)."""

from __future__ import annotations

import time
import uuid
from typing import Any

import jwt


def sign_id_token(
    shop: str, api_key: str, api_secret: str, *, ttl: int = 60, user_id: str = "42", **claims: Any
) -> str:
    """A fresh token for `shop`; keyword `claims` override or add any claim (tests vary them)."""
    now = int(time.time())
    payload: dict[str, Any] = {
        "iss": f"https://{shop}/admin",
        "dest": f"https://{shop}",
        "aud": api_key,
        "sub": user_id,
        "exp": now + ttl,
        "nbf": now,
        "iat": now,
        "jti": str(uuid.uuid4()),
        "sid": f"sid-{shop}-{user_id}",
    }
    payload.update(claims)
    return jwt.encode(payload, api_secret, algorithm="HS256")
