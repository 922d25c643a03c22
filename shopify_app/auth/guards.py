"""Request guards: the admin JSON API authenticates every call with a Bearer ID token."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import current_app, g, request

from shopify_app.auth.id_token import InvalidIdTokenError, verify_id_token
from shopify_app.errors import json_error

RETRY_HEADER = {"X-Shopify-Retry-Invalid-Session-Request": "1"}


def app_secrets() -> tuple[str, str | None]:
    return current_app.config["SHOPIFY_API_SECRET"], current_app.config["SHOPIFY_API_SECRET_OLD"]


def bearer_id_token() -> str:
    header = request.headers.get("Authorization", "")
    return header[len("Bearer ") :] if header.startswith("Bearer ") else ""


def require_id_token(view: Callable[..., Any]) -> Callable[..., Any]:
    """Reject with 401 (and App Bridge's retry header) unless a valid ID token is presented.

    On success `g.shop` is the token's shop domain and `g.id_token` the verified token.
    """

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            token = verify_id_token(
                bearer_id_token(), current_app.config["SHOPIFY_API_KEY"], app_secrets()
            )
        except InvalidIdTokenError:
            return json_error("invalid or expired session token", 401, RETRY_HEADER)
        g.shop = token.shop
        g.id_token = token
        return view(*args, **kwargs)

    return wrapper
