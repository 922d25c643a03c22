"""Document loads inside the Shopify admin: verify the `id_token` query param, install if needed.

A load without a valid ID token goes to the bounce page, where App Bridge fetches a fresh one and
reloads the page; a legacy non-embedded install (signed `shop` + `hmac`, no ID token) goes to the
authorization-code grant. A load with none of Shopify's launch parameters is someone opening the
App URL in a browser (after `sightline serve`, say): no admin will ever hand that page a token, so
it gets a page explaining what Sightline is and how to see it locally, not the bounce page.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from flask import current_app, g, redirect, render_template, request, url_for

from shopify_app.auth.guards import app_secrets
from shopify_app.auth.id_token import InvalidIdTokenError, verify_id_token
from shopify_app.auth.install import ensure_installed
from shopify_app.auth.query_hmac import verify_query
from shopify_app.auth.shop_domain import valid_shop_domain
from shopify_app.shopify.errors import OAuthError, ShopifyError
from shopify_app.shopify.settings import current_settings

log = logging.getLogger(__name__)


def bounce_url() -> str:
    """/auth/session-token with `shopify-reload` = this URL minus its stale `id_token`."""
    args = [(k, v) for k, v in request.args.items(multi=True) if k != "id_token"]
    reload_target = request.path + (f"?{urlencode(args)}" if args else "")
    return (
        url_for("auth.session_token") + "?" + urlencode([*args, ("shopify-reload", reload_target)])
    )


# Shopify's launch params that links between our pages carry along (App Bridge replaces
# `id_token` on each navigation it handles; without App Bridge it keeps the page working).
AUTH_PARAMS = ("embedded", "host", "id_token", "locale", "shop")


def auth_query() -> str:
    return urlencode([(k, request.args[k]) for k in AUTH_PARAMS if k in request.args])


def _legacy_install_request() -> bool:
    args = request.args
    return (
        "id_token" not in args
        and args.get("embedded") != "1"
        and valid_shop_domain(args.get("shop")) is not None
        and verify_query(args, app_secrets())
    )


# Any of these means Shopify (or App Bridge) opened the page; none of them, a person did.
LAUNCH_PARAMS = ("embedded", "host", "hmac", "id_token", "session", "shop")


def _outside_admin() -> bool:
    return not any(name in request.args for name in LAUNCH_PARAMS)


def problem_page(title: str, message: str, status: int):  # type: ignore[no-untyped-def]
    """A clear page inside the admin shell instead of a stack trace or a blank frame."""
    return render_template("auth/problem.html", title=title, message=message), status


def embedded_page(view: Callable[..., Any]) -> Callable[..., Any]:
    """For embedded admin pages: sets g.shop, g.id_token and g.shop_row (installed), and lets
    the security headers allow framing by this shop's admin."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if _outside_admin():
            return render_template("auth/outside_admin.html")
        if _legacy_install_request():
            return redirect(url_for("auth.install") + "?" + request.query_string.decode())
        try:
            token = verify_id_token(
                request.args.get("id_token", ""),
                current_app.config["SHOPIFY_API_KEY"],
                app_secrets(),
            )
        except InvalidIdTokenError:
            return redirect(bounce_url())
        g.shop, g.id_token, g.frame_shop = token.shop, token, token.shop
        g.auth_query = auth_query()
        try:
            g.shop_row = ensure_installed(current_settings(), token)
        except OAuthError as exc:
            if exc.code == OAuthError.INVALID_SUBJECT_TOKEN:
                return redirect(bounce_url())
            log.warning("install of %s refused: %s", token.shop, exc.code)
            return problem_page(
                "Shopify refused the installation",
                "Open Sightline again from your Shopify admin. If this keeps happening, "
                "reinstall the app.",
                403,
            )
        except ShopifyError as exc:
            log.warning("install of %s failed: %s", token.shop, exc)
            return problem_page(
                "Shopify could not be reached",
                "Sightline could not finish connecting to your store. Reload the page in a moment.",
                503,
            )
        return view(*args, **kwargs)

    return wrapper
