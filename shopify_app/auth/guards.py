"""Request guards: the admin JSON API authenticates every call with a Bearer ID token."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from flask import current_app, g, redirect, request

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


# Launch parameters Shopify adds to an embedded app's URL; links inside the app keep them so a
# page works without App Bridge (local runs, tests) as long as its ID token is fresh.
LAUNCH_PARAMS = ("shop", "host", "embedded", "locale", "id_token")
BOUNCE_PATH = "/auth/session-token"


def reload_target() -> str:
    """This request's path and query without `id_token`: where App Bridge reloads to."""
    query = [(k, v) for k, v in request.args.items(multi=True) if k != "id_token"]
    return request.path + ("?" + urlencode(query) if query else "")


def require_embedded_document(view: Callable[..., Any]) -> Callable[..., Any]:
    """For admin pages: verify `id_token` from the query; without a valid one, go to the bounce
    page, where App Bridge fetches a fresh token and reloads this URL with it.

    On success `g.shop`, `g.id_token` and `g.auth_query` (the launch parameters) are set.
    """

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            token = verify_id_token(
                request.args.get("id_token", ""),
                current_app.config["SHOPIFY_API_KEY"],
                app_secrets(),
            )
        except InvalidIdTokenError:
            return redirect(f"{BOUNCE_PATH}?{urlencode({'shopify-reload': reload_target()})}")
        g.shop = token.shop
        g.id_token = token
        g.auth_query = urlencode([(k, request.args[k]) for k in LAUNCH_PARAMS if k in request.args])
        return view(*args, **kwargs)

    return wrapper
