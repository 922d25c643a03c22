"""Picker tokens: `base64url(claims).base64url(HMAC-SHA256)`, keyed from SECRET_KEY for this
one purpose.

A picker token travels in a storefront URL fragment, so it is deliberately weak: minutes long,
one shop, one picker session, purpose "picker". It is not a JWT and no admin route accepts it;
the only thing it allows is posting a selection for its own session through the app proxy of
its own shop. Keying it from SECRET_KEY (not the Shopify secret) means nothing Shopify signs
can ever pass for one.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass

PURPOSE = "picker"
DEFAULT_TTL_SECONDS = 15 * 60
MAX_TOKEN_CHARS = 512  # refuse obviously wrong input before decoding it


class PickerTokenError(ValueError):
    """The token is malformed, forged, expired, for another purpose or another shop."""


@dataclass(frozen=True)
class PickerClaims:
    shop: str
    session_id: str
    expires_at: int  # unix seconds


def _key(secret_key: str) -> bytes:
    # A key of its own, so a picker signature is never valid for anything else keyed by SECRET_KEY.
    return hmac.new(secret_key.encode(), b"sightline picker token v1", hashlib.sha256).digest()


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def new_session_id() -> str:
    return secrets.token_hex(16)


def mint(
    secret_key: str,
    shop: str,
    session_id: str,
    *,
    ttl: int = DEFAULT_TTL_SECONDS,
    now: float | None = None,
) -> tuple[str, PickerClaims]:
    expires = int(time.time() if now is None else now) + ttl
    claims = {"shop": shop, "sid": session_id, "exp": expires, "purpose": PURPOSE}
    body = _b64(json.dumps(claims, separators=(",", ":"), sort_keys=True).encode())
    signature = _b64(hmac.new(_key(secret_key), body.encode(), hashlib.sha256).digest())
    return f"{body}.{signature}", PickerClaims(shop, session_id, expires)


def verify(
    token: object,
    secret_key: str,
    shop: str,
    *,
    now: float | None = None,
) -> PickerClaims:
    """The claims of a valid, unexpired picker token of `shop`; raises PickerTokenError."""
    if not isinstance(token, str) or not token.isascii() or len(token) > MAX_TOKEN_CHARS:
        raise PickerTokenError("malformed picker token")
    body, _, signature = token.partition(".")
    expected = _b64(hmac.new(_key(secret_key), body.encode(), hashlib.sha256).digest())
    if not signature or not hmac.compare_digest(expected.encode(), signature.encode()):
        raise PickerTokenError("invalid picker token")
    try:
        claims = json.loads(_unb64(body))
    except ValueError:
        raise PickerTokenError("malformed picker token") from None
    if not isinstance(claims, dict) or claims.get("purpose") != PURPOSE:
        raise PickerTokenError("not a picker token")
    expires = claims.get("exp")
    if not isinstance(expires, int) or (time.time() if now is None else now) >= expires:
        raise PickerTokenError("picker token expired")
    if claims.get("shop") != shop:
        raise PickerTokenError("picker token of another shop")
    session_id = claims.get("sid")
    if not isinstance(session_id, str) or not session_id:
        raise PickerTokenError("malformed picker token")
    return PickerClaims(shop, session_id, expires)
