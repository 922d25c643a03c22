"""Shopify ID tokens (App Bridge session tokens): HS256 JWTs signed with the app's secret."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

from shopify import session_token


class InvalidIdTokenError(Exception):
    """The token is missing, malformed, expired, or not signed for this app."""


@dataclass(frozen=True)
class IdToken:
    shop: str  # permanent *.myshopify.com domain, from `dest`
    user_id: str  # `sub`
    session_id: str  # `sid`
    raw: str  # kept only for token exchange
    claims: dict[str, Any]


def verify_id_token(token: str, api_key: str, secrets: Iterable[str | None]) -> IdToken:
    """Verify signature, `aud`, `exp`/`nbf` (10 s leeway) and that `iss` and `dest` name one shop.

    `secrets` is the current secret then the old one, so tokens keep working during rotation.
    """
    if not token:
        raise InvalidIdTokenError("missing ID token")
    last_error: Exception | None = None
    for secret in secrets:
        if not secret:
            continue
        try:
            claims = session_token.decode_from_header(f"Bearer {token}", api_key, secret)
        except session_token.SessionTokenError as exc:
            last_error = exc
            continue
        if "exp" not in claims:
            raise InvalidIdTokenError("ID token has no expiry")
        shop = urlparse(claims["dest"]).hostname or ""
        return IdToken(
            shop=shop,
            user_id=str(claims["sub"]),
            session_id=str(claims["sid"]),
            raw=token,
            claims=claims,
        )
    raise InvalidIdTokenError(f"invalid ID token: {last_error}")
