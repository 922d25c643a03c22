"""ID tokens as Shopify's admin mints them for an embedded app (App Bridge session tokens)."""

from __future__ import annotations

import secrets
import time
import uuid
from typing import Any

import jwt

# Shopify's ID tokens live about a minute; App Bridge fetches a new one for every request.
ID_TOKEN_TTL_SECONDS = 60


def id_token_claims(
    shop: str, api_key: str, *, ttl: int = ID_TOKEN_TTL_SECONDS, user_id: str = "1"
) -> dict[str, Any]:
    now = int(time.time())
    return {
        "iss": f"https://{shop}/admin",
        "dest": f"https://{shop}",
        "aud": api_key,
        "sub": user_id,
        "exp": now + ttl,
        "nbf": now,
        "iat": now,
        "jti": str(uuid.uuid4()),
        "sid": secrets.token_hex(16),
    }


def sign_id_token(shop: str, api_key: str, api_secret: str, **overrides: Any) -> str:
    """A freshly signed HS256 ID token for `shop`; `overrides` replace claims (tests use it
    to make wrong-audience, expired or not-yet-valid tokens)."""
    ttl = overrides.pop("ttl", ID_TOKEN_TTL_SECONDS)
    claims = id_token_claims(shop, api_key, ttl=ttl)
    claims.update(overrides)
    return jwt.encode(claims, api_secret, algorithm="HS256")


def decode_id_token(token: str, api_key: str, api_secret: str) -> dict[str, Any]:
    """Verify as Shopify's token endpoint does (signature, audience, expiry); raises jwt errors."""
    return jwt.decode(
        token,
        api_secret,
        algorithms=["HS256"],
        audience=api_key,
        leeway=10,
        options={"require": ["exp", "nbf", "iss", "dest", "aud", "sub"]},
    )
