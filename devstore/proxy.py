"""Shopify's app proxy: `/{shop}/apps/{subpath}/*` on the storefront is forwarded to
`{app_url}/proxy/*` with `shop`, `logged_in_customer_id`, `path_prefix`, `timestamp` and a
`signature` added to the query. Like Shopify, it drops the shopper's cookies on the way in and
any Set-Cookie on the way out."""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Iterable

import requests
from flask import Blueprint, Response, current_app, request

from devstore.state import DevstoreState

bp = Blueprint("devstore_proxy", __name__)

CUSTOMER_COOKIE = "devstore_customer"  # set by the storefront's fake customer login
# Where the shopper connects from, as Shopify's edge would see it. Tests on loopback have no
# public address to connect from, so they name one here; devstore is never in front of a real
# shop, and the shopper's own X-Forwarded-For is never used as their address.
CLIENT_ADDRESS_HEADER = "X-Devstore-Client-Address"
FORWARDED_REQUEST_HEADERS = ("Content-Type", "User-Agent", "Accept", "Accept-Language")
PASSED_RESPONSE_HEADERS = ("Content-Type", "Cache-Control", "Retry-After")
TIMEOUT_SECONDS = 15


def _state() -> DevstoreState:
    return current_app.extensions["devstore"]


def proxy_signature(params: Iterable[tuple[str, str]], secret: str) -> str:
    """Shopify's app-proxy signature: group repeated keys (values joined by ','), sort by key,
    concatenate `key=value` with no separator, HMAC-SHA256 hex with the app's secret."""
    grouped: dict[str, list[str]] = {}
    for key, value in params:
        if key != "signature":
            grouped.setdefault(key, []).append(value)
    message = "".join(f"{key}={','.join(values)}" for key, values in sorted(grouped.items()))
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def signed_proxy_query(
    shop: str,
    secret: str,
    *,
    customer_id: str = "",
    path_prefix: str = "/apps/sightline",
    timestamp: int | None = None,
    extra: Iterable[tuple[str, str]] = (),
) -> list[tuple[str, str]]:
    """The query Shopify appends to a proxied request, signature included."""
    params = [
        *extra,
        ("shop", shop),
        ("logged_in_customer_id", customer_id),
        ("path_prefix", path_prefix),
        ("timestamp", str(int(time.time()) if timestamp is None else timestamp)),
    ]
    return [*params, ("signature", proxy_signature(params, secret))]


def _client_address() -> str | None:
    return request.headers.get(CLIENT_ADDRESS_HEADER) or request.remote_addr


@bp.route("/<shop>/apps/<subpath>/<path:rest>", methods=["GET", "POST"])
def forward(shop: str, subpath: str, rest: str) -> Response:
    config = _state().config
    if subpath != config.proxy_subpath:
        return Response("Not Found", 404)
    query = signed_proxy_query(
        shop,
        config.api_secret,
        customer_id=request.cookies.get(CUSTOMER_COOKIE, ""),
        path_prefix=f"/apps/{subpath}",
        extra=[
            (k, v)
            for k, v in request.args.items(multi=True)
            if k not in ("shop", "logged_in_customer_id", "path_prefix", "timestamp", "signature")
        ],
    )
    headers = {h: request.headers[h] for h in FORWARDED_REQUEST_HEADERS if h in request.headers}
    # As Shopify's proxy does: whatever X-Forwarded-For the shopper sent is kept, and the
    # address the request came from is appended last, the one entry the app can trust.
    forwarded = request.headers.get("X-Forwarded-For")
    headers["X-Forwarded-For"] = ", ".join(filter(None, [forwarded, _client_address()]))
    try:
        upstream = requests.request(
            request.method,
            f"{config.app_url}/proxy/{rest}",
            params=query,
            data=request.get_data() if request.method == "POST" else None,
            headers=headers,
            timeout=TIMEOUT_SECONDS,
            allow_redirects=False,
        )
    except requests.RequestException:
        # What a shopper sees when the app is down: Shopify's own error page, status 502.
        return Response("Bad Gateway", 502, content_type="text/plain")
    with upstream:
        kept = {h: upstream.headers[h] for h in PASSED_RESPONSE_HEADERS if h in upstream.headers}
        return Response(upstream.content, upstream.status_code, headers=kept)
