"""Sign-in routes: the ID-token bounce page and the authorization-code grant."""

from __future__ import annotations

import logging
from urllib.parse import parse_qs, urlencode, urlparse

from flask import current_app, g, make_response, redirect, render_template, request

from shopify_app.auth import bp
from shopify_app.auth.guards import app_secrets
from shopify_app.auth.install import install_with_code
from shopify_app.auth.oauth_state import COOKIE_NAME, clear_state, issue_state, state_matches
from shopify_app.auth.query_hmac import verify_query
from shopify_app.auth.shell import admin_app_url
from shopify_app.auth.shop_domain import valid_shop_domain
from shopify_app.errors import json_error
from shopify_app.shopify.errors import OAuthError, ShopifyError
from shopify_app.shopify.settings import current_settings

log = logging.getLogger(__name__)


@bp.get("/auth/session-token")
def session_token():  # type: ignore[no-untyped-def]
    """App Bridge reads `shopify-reload` and reloads it with a fresh `id_token`."""
    target = request.args.get("shopify-reload", "")
    if target and not _is_app_path(target):
        # App Bridge would hand a fresh ID token to wherever this points.
        return json_error("shopify-reload must be a path of this app", 400)
    shop = valid_shop_domain(request.args.get("shop") or _shop_in_reload_target())
    g.frame_shop = shop  # shown inside the admin iframe
    return render_template(
        "auth/session_token.html", reopen_url=admin_app_url(shop) if shop else None
    )


def _is_app_path(target: str) -> bool:
    parts = urlparse(target)
    return (
        target.startswith("/")
        and not target.startswith("//")
        and not parts.scheme
        and not parts.netloc
        and "\\" not in target
    )


def _shop_in_reload_target() -> str | None:
    query = urlparse(request.args.get("shopify-reload", "")).query
    return parse_qs(query).get("shop", [None])[0]


def _signed_shop() -> tuple[str | None, object]:
    """The shop from a Shopify-signed query, or (None, error response)."""
    shop = valid_shop_domain(request.args.get("shop"))
    if shop is None:
        return None, json_error("shop must be a *.myshopify.com domain", 400)
    if not verify_query(request.args, app_secrets()):
        return None, json_error("invalid or expired request signature", 401)
    return shop, None


@bp.get("/auth/install")
def install():  # type: ignore[no-untyped-def]
    """Start the authorization-code grant: send the merchant to the shop's authorize page."""
    shop, error = _signed_shop()
    if shop is None:
        return error
    config = current_app.config
    response = make_response("", 302)
    nonce = issue_state(
        response, config["SECRET_KEY"], shop, secure=config["APP_URL"].startswith("https://")
    )
    query = urlencode(
        {
            "client_id": config["SHOPIFY_API_KEY"],
            "redirect_uri": f"{config['APP_URL']}/auth/callback",
            "state": nonce,
            "grant_options[]": "",  # empty: an offline token (scopes come from shopify.app.toml)
        }
    )
    response.headers["Location"] = (
        f"{current_settings().admin_base_url(shop)}/admin/oauth/authorize?{query}"
    )
    return response


@bp.get("/auth/callback")
def callback():  # type: ignore[no-untyped-def]
    """Check shop, HMAC and state; exchange the code; land in the app inside the admin."""
    shop, error = _signed_shop()
    if shop is None:
        return error
    config = current_app.config
    if not state_matches(
        request.cookies.get(COOKIE_NAME),
        config["SECRET_KEY"],
        request.args.get("state", ""),
        shop,
    ):
        return json_error("the sign-in state does not match; start the install again", 401)
    code = request.args.get("code", "")
    if not code:
        return json_error("code is missing", 400)
    try:
        install_with_code(current_settings(), shop, code)
    except OAuthError as exc:
        log.warning("code grant for %s refused: %s", shop, exc.code)
        return json_error("Shopify refused the authorization code; start the install again", 401)
    except ShopifyError as exc:
        log.warning("code grant for %s failed: %s", shop, exc)
        return json_error("Shopify could not be reached; try again in a moment", 502)
    response = redirect(admin_app_url(shop))
    clear_state(response)
    return response
