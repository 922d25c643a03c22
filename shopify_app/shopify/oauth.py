"""Shopify's token endpoint: token exchange, authorization-code grant, and refresh.

All three ask for expiring offline tokens (required for public apps created since 2026-04-01).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from models import utcnow
from shopify_app.shopify.errors import OAuthError, ShopifyHttpError
from shopify_app.shopify.settings import ShopifySettings
from shopify_app.shopify.transport import post_json, unexpected

# OAuth URNs, not secrets.
TOKEN_EXCHANGE_GRANT = "urn:ietf:params:oauth:grant-type:token-exchange"  # noqa: S105
ID_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:id_token"  # noqa: S105
OFFLINE_TOKEN_TYPE = "urn:shopify:params:oauth:token-type:offline-access-token"  # noqa: S105


@dataclass(frozen=True)
class TokenGrant:
    """A token pair as Shopify issued it; expiries are naive UTC like every stored datetime."""

    access_token: str
    scope: str
    expires_at: dt.datetime | None  # None only for legacy non-expiring tokens
    refresh_token: str | None
    refresh_token_expires_at: dt.datetime | None

    def __repr__(self) -> str:  # never let a token reach a log through repr()
        return f"TokenGrant(scope={self.scope!r}, expires_at={self.expires_at!r})"


def exchange_id_token(settings: ShopifySettings, shop: str, id_token: str) -> TokenGrant:
    """Token exchange: a verified ID token for an expiring offline access token."""
    return _request_token(
        settings,
        shop,
        {
            "grant_type": TOKEN_EXCHANGE_GRANT,
            "subject_token": id_token,
            "subject_token_type": ID_TOKEN_TYPE,
            "requested_token_type": OFFLINE_TOKEN_TYPE,
            "expiring": "1",
        },
        what=f"token exchange for {shop}",
    )


def exchange_code(settings: ShopifySettings, shop: str, code: str) -> TokenGrant:
    """Authorization-code grant: the callback's `code` for an expiring offline access token."""
    return _request_token(
        settings, shop, {"code": code, "expiring": "1"}, what=f"code grant for {shop}"
    )


def refresh(settings: ShopifySettings, shop: str, refresh_token: str) -> TokenGrant:
    """A new token pair for a refresh token; Shopify issues a new refresh token every time."""
    return _request_token(
        settings,
        shop,
        {"grant_type": "refresh_token", "refresh_token": refresh_token},
        what=f"token refresh for {shop}",
    )


def _request_token(
    settings: ShopifySettings, shop: str, fields: dict[str, str], *, what: str
) -> TokenGrant:
    payload = {"client_id": settings.api_key, "client_secret": settings.api_secret, **fields}
    response = post_json(
        settings.token_url(shop),
        payload,
        headers={"Accept": "application/json"},
        timeout=settings.timeout,
        what=what,
    )
    body = response.body if isinstance(response.body, dict) else {}
    if response.status == 200 and isinstance(body.get("access_token"), str):
        return _grant_from(body)
    if 400 <= response.status < 500 and isinstance(body.get("error"), str):
        raise OAuthError(body["error"], response.status)
    if response.status == 200:
        raise ShopifyHttpError(f"{what}: the answer had no access token", 200)
    raise unexpected(what, response)


def _grant_from(body: dict[str, Any]) -> TokenGrant:
    now = utcnow()

    def expiry(key: str) -> dt.datetime | None:
        seconds = body.get(key)
        return now + dt.timedelta(seconds=int(seconds)) if seconds is not None else None

    return TokenGrant(
        access_token=body["access_token"],
        scope=str(body.get("scope", "")),
        expires_at=expiry("expires_in"),
        refresh_token=body.get("refresh_token"),
        refresh_token_expires_at=expiry("refresh_token_expires_in"),
    )
