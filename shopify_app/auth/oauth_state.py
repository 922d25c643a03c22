"""The authorization-code grant's `state`: a nonce in a signed, short-lived cookie."""

from __future__ import annotations

import hmac
import secrets

from flask import Response
from itsdangerous import BadSignature, URLSafeTimedSerializer

COOKIE_NAME = "sightline_oauth_state"
COOKIE_PATH = "/auth/callback"
# Long enough to read Shopify's grant screen, short enough that a leaked cookie is soon useless.
MAX_AGE_SECONDS = 300
# Signed under a purpose-specific salt: the cookie can never pass for another signed value.
SALT = "sightline.oauth-state"


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=SALT)


def issue_state(response: Response, secret_key: str, shop: str, *, secure: bool) -> str:
    """Create a nonce, bind it to `shop` in the cookie on `response`, and return it."""
    nonce = secrets.token_hex(32)
    response.set_cookie(
        COOKIE_NAME,
        _serializer(secret_key).dumps({"nonce": nonce, "shop": shop}),
        max_age=MAX_AGE_SECONDS,
        path=COOKIE_PATH,
        httponly=True,
        secure=secure,
        samesite="Lax",  # sent on Shopify's top-level redirect back to us
    )
    return nonce


def state_matches(cookie: str | None, secret_key: str, state: str, shop: str) -> bool:
    """True when the cookie is ours, fresh, for `shop`, and holds `state` (constant time)."""
    if not cookie or not state:
        return False
    try:
        data = _serializer(secret_key).loads(cookie, max_age=MAX_AGE_SECONDS)
    except BadSignature:  # also covers SignatureExpired
        return False
    if not isinstance(data, dict) or not isinstance(data.get("nonce"), str):
        return False
    same_shop = hmac.compare_digest(str(data.get("shop", "")).encode(), shop.encode())
    return hmac.compare_digest(data["nonce"].encode(), state.encode()) and same_shop


def clear_state(response: Response) -> None:
    response.delete_cookie(COOKIE_NAME, path=COOKIE_PATH)
