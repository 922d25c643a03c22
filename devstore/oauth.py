"""Shopify's install and OAuth surface: admin launch, authorize, and the token endpoint.

State lives in the "oauth" section: installed shops, one-time codes, issued tokens, and counts
of each grant so tests can assert, for example, that five requests caused exactly one refresh.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
import tomllib
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlparse

import jwt
from flask import Blueprint, abort, current_app, jsonify, redirect, request

from devstore.id_tokens import decode_id_token, sign_id_token
from devstore.state import DevstoreState

bp = Blueprint("devstore_oauth", __name__)

APP_TOML = Path(__file__).resolve().parent.parent / "shopify.app.toml"
TOKEN_EXCHANGE_GRANT = "urn:ietf:params:oauth:grant-type:token-exchange"  # noqa: S105
ID_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:id_token"  # noqa: S105
CODE_TTL_SECONDS = 600
SHOP_PATH = "<shop>"  # every shop lives under /{shop}/ on devstore


# ---- state helpers (also used by other devstore features and tests) -------------------------


def oauth_state(state: DevstoreState) -> dict[str, Any]:
    section = state.section("oauth")
    with state.lock:
        for key in ("shops", "codes", "access_tokens", "refresh_tokens", "counts"):
            section.setdefault(key, {})
    return section


def _state() -> DevstoreState:
    return current_app.extensions["devstore"]


def app_scopes() -> str:
    """Scopes declared in shopify.app.toml: a managed install grants exactly these."""
    try:
        with APP_TOML.open("rb") as handle:
            return str(tomllib.load(handle)["access_scopes"]["scopes"])
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return "read_orders,write_app_proxy,write_pixels,read_customer_events"


def install_shop(state: DevstoreState, shop: str) -> None:
    section = oauth_state(state)
    with state.lock:
        record = section["shops"].setdefault(shop, {})
        record.update(installed=True, scopes=app_scopes())


def uninstall_shop(state: DevstoreState, shop: str) -> None:
    """What Shopify does on uninstall: the app's tokens stop working at once."""
    section = oauth_state(state)
    with state.lock:
        section["shops"].setdefault(shop, {})["installed"] = False
        for table in ("access_tokens", "refresh_tokens"):
            for record in section[table].values():
                if record["shop"] == shop:
                    record["revoked"] = True
    state.section("admin_api").pop(shop, None)  # the app installation and its data go too


def is_installed(state: DevstoreState, shop: str) -> bool:
    section = oauth_state(state)
    with state.lock:
        return bool(section["shops"].get(shop, {}).get("installed"))


def count(state: DevstoreState, shop: str, what: str) -> int:
    section = oauth_state(state)
    with state.lock:
        return int(section["counts"].get(shop, {}).get(what, 0))


def _bump(state: DevstoreState, shop: str, what: str) -> None:
    section = oauth_state(state)
    with state.lock:
        counts = section["counts"].setdefault(shop, {})
        counts[what] = counts.get(what, 0) + 1


def access_token_shop(state: DevstoreState, token: str) -> str | None:
    """The shop a live (issued, unexpired, unrevoked) access token belongs to, else None."""
    section = oauth_state(state)
    with state.lock:
        record = section["access_tokens"].get(token)
        if record is None or record.get("revoked"):
            return None
        expires = record["expires_at"]
        if expires is not None and expires <= time.time():
            return None
        return record["shop"]


def expire_access_tokens(state: DevstoreState, shop: str) -> int:
    """Make every access token of `shop` expired now (as an hour passing would)."""
    section = oauth_state(state)
    expired = 0
    with state.lock:
        for record in section["access_tokens"].values():
            if record["shop"] == shop:
                record["expires_at"] = time.time() - 1
                expired += 1
    return expired


def sign_query(params: dict[str, str], secret: str) -> str:
    """Shopify's query HMAC: sorted `key=value` pairs joined by `&`, HMAC-SHA256, hex."""
    message = "&".join(f"{key}={value}" for key, value in sorted(params.items()))
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def signed_params(store: DevstoreState, shop: str, **extra: str) -> dict[str, str]:
    params = {
        "host": admin_host(shop),
        "shop": shop,
        "timestamp": str(int(time.time())),
        **extra,
    }
    params["hmac"] = sign_query(params, store.config.api_secret)
    return params


def admin_host(shop: str) -> str:
    """The `host` param: base64 of the admin's host and path, as Shopify sends it."""
    admin = f"{urlparse(request.host_url).netloc}/{shop}/admin"
    return base64.b64encode(admin.encode()).decode().rstrip("=")


def _issue_tokens(state: DevstoreState, shop: str, *, expiring: bool) -> dict[str, Any]:
    config = state.config
    now = time.time()
    access = "shpat_" + secrets.token_hex(16)
    body: dict[str, Any] = {"access_token": access, "scope": app_scopes()}
    section = oauth_state(state)
    with state.lock:
        section["access_tokens"][access] = {
            "shop": shop,
            "expires_at": now + config.access_token_ttl if expiring else None,
        }
        if expiring:
            refresh = "shprt_" + secrets.token_hex(16)
            section["refresh_tokens"][refresh] = {
                "shop": shop,
                "expires_at": now + config.refresh_token_ttl,
                "used": False,
                "successors": [],
            }
            body.update(
                expires_in=config.access_token_ttl,
                refresh_token=refresh,
                refresh_token_expires_in=config.refresh_token_ttl,
            )
    return body


def _oauth_error(error: str, description: str, status: int = 400):  # type: ignore[no-untyped-def]
    return jsonify(error=error, error_description=description), status


def _valid_shop(shop: str) -> bool:
    labels = shop.split(".")
    return len(labels) == 3 and labels[1:] == ["myshopify", "com"] and labels[0].isascii()


# ---- admin: launching the app --------------------------------------------------------------


@bp.get(f"/{SHOP_PATH}/admin/apps/<app>")
@bp.get(f"/{SHOP_PATH}/admin/apps/<app>/<path:subpath>")
def launch(shop: str, app: str, subpath: str = ""):  # type: ignore[no-untyped-def]
    """Open the embedded app as the admin does: install it if needed (Shopify-managed install),
    then load the App URL (plus `subpath`) with a freshly signed ID token."""
    state = _state()
    if not _valid_shop(shop) or app not in (state.config.api_key, state.config.app_handle):
        abort(404)
    install_shop(state, shop)
    id_token = sign_id_token(shop, state.config.api_key, state.config.api_secret)
    params = signed_params(
        state,
        shop,
        embedded="1",
        id_token=id_token,
        locale="en",
        session=secrets.token_hex(16),
    )
    query = request.query_string.decode()
    target = f"{state.config.app_url}/{subpath}?{urlencode(params)}"
    return redirect(target + (f"&{query}" if query else ""))


# ---- authorization-code grant -------------------------------------------------------------


def _allowed_redirect(redirect_uri: str, app_url: str) -> bool:
    # Shopify only redirects to a URL listed in [auth] redirect_urls; devstore's app lives at
    # app_url, so the listed paths count on that origin.
    try:
        with APP_TOML.open("rb") as handle:
            listed = tomllib.load(handle)["auth"]["redirect_urls"]
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        listed = ["/auth/callback"]
    paths = {urlparse(url).path for url in listed}
    target, app = urlparse(redirect_uri), urlparse(app_url)
    return (target.scheme, target.netloc) == (app.scheme, app.netloc) and target.path in paths


@bp.get(f"/{SHOP_PATH}/admin/oauth/authorize")
def authorize(shop: str):  # type: ignore[no-untyped-def]
    """The merchant approves at once; Shopify then redirects back with a code and an HMAC."""
    state = _state()
    args = request.args
    if not _valid_shop(shop) or args.get("client_id") != state.config.api_key:
        return _oauth_error("invalid_request", "The client_id is not valid")
    redirect_uri = args.get("redirect_uri", "")
    if not _allowed_redirect(redirect_uri, state.config.app_url):
        return _oauth_error("invalid_request", "The redirect_uri is not whitelisted")
    install_shop(state, shop)
    code = secrets.token_hex(16)
    section = oauth_state(state)
    with state.lock:
        section["codes"][code] = {"shop": shop, "expires_at": time.time() + CODE_TTL_SECONDS}
    params = signed_params(state, shop, code=code, state=args.get("state", ""))
    return redirect(f"{redirect_uri}?{urlencode(params)}")


@bp.get(f"/_devstore/shops/{SHOP_PATH}/legacy-install")
def legacy_install(shop: str):  # type: ignore[no-untyped-def]
    """A non-embedded install as Shopify starts it: the app's install URL, signed."""
    state = _state()
    params = signed_params(state, shop)
    return redirect(f"{state.config.app_url}/auth/install?{urlencode(params)}")


# ---- the token endpoint --------------------------------------------------------------------


@bp.post(f"/{SHOP_PATH}/admin/oauth/access_token")
def access_token(shop: str):  # type: ignore[no-untyped-def]
    state = _state()
    form: dict[str, Any] = request.get_json(silent=True) or request.form.to_dict()
    client_ok = hmac.compare_digest(
        str(form.get("client_id", "")), state.config.api_key
    ) and hmac.compare_digest(str(form.get("client_secret", "")), state.config.api_secret)
    if not client_ok:
        return _oauth_error("invalid_client", "Client credentials are invalid", 401)
    expiring = str(form.get("expiring", "0")) == "1"
    grant_type = form.get("grant_type")
    if grant_type == TOKEN_EXCHANGE_GRANT:
        return _token_exchange(state, shop, form, expiring)
    if grant_type == "refresh_token":
        return _refresh(state, shop, str(form.get("refresh_token", "")))
    if grant_type in (None, "authorization_code") and form.get("code"):
        return _code_grant(state, shop, str(form["code"]), expiring)
    return _oauth_error("unsupported_grant_type", "The grant type is not supported")


def _token_exchange(state: DevstoreState, shop: str, form: dict[str, Any], expiring: bool):  # type: ignore[no-untyped-def]
    if form.get("subject_token_type") != ID_TOKEN_TYPE:
        return _oauth_error("invalid_request", "subject_token_type is not supported")
    try:
        claims = decode_id_token(
            str(form.get("subject_token", "")), state.config.api_key, state.config.api_secret
        )
    except jwt.PyJWTError:
        return _oauth_error("invalid_subject_token", "The subject token is invalid or expired")
    if claims.get("dest") != f"https://{shop}":
        return _oauth_error("invalid_subject_token", "The subject token is for another shop")
    if not is_installed(state, shop):
        return _oauth_error("invalid_client", "The app is not installed on this shop", 401)
    _bump(state, shop, "token_exchange")
    return jsonify(_issue_tokens(state, shop, expiring=expiring))


def _code_grant(state: DevstoreState, shop: str, code: str, expiring: bool):  # type: ignore[no-untyped-def]
    section = oauth_state(state)
    with state.lock:
        record = section["codes"].pop(code, None)  # a code works once
    if record is None or record["shop"] != shop or record["expires_at"] <= time.time():
        return _oauth_error(
            "invalid_request", "The authorization code was not found or was already used"
        )
    _bump(state, shop, "code_grant")
    return jsonify(_issue_tokens(state, shop, expiring=expiring))


def _refresh(state: DevstoreState, shop: str, refresh_token: str):  # type: ignore[no-untyped-def]
    section = oauth_state(state)
    if not is_installed(state, shop):
        return _oauth_error("invalid_client", "The app is not installed on this shop", 401)
    with state.lock:
        tokens = section["refresh_tokens"]
        record = tokens.get(refresh_token)
        successor_used = record is not None and any(
            tokens[successor]["used"] for successor in record["successors"]
        )
        usable = (
            record is not None
            and record["shop"] == shop
            and not record.get("revoked")
            and record["expires_at"] > time.time()
            # The previous refresh token stays usable until its successor is first used.
            and not successor_used
        )
        if not usable:
            return _oauth_error("invalid_grant", "The refresh token is invalid or expired")
        record["used"] = True
    _bump(state, shop, "refresh")
    body = _issue_tokens(state, shop, expiring=True)
    with state.lock:
        record["successors"].append(body["refresh_token"])
    return jsonify(body)


# ---- controls for tests and demos ----------------------------------------------------------


@bp.get(f"/_devstore/shops/{SHOP_PATH}")
def shop_status(shop: str):  # type: ignore[no-untyped-def]
    state = _state()
    section = oauth_state(state)
    with state.lock:
        counts = dict(section["counts"].get(shop, {}))
    return jsonify(
        shop=shop,
        installed=is_installed(state, shop),
        token_exchanges=counts.get("token_exchange", 0),
        code_grants=counts.get("code_grant", 0),
        refreshes=counts.get("refresh", 0),
    )


@bp.post(f"/_devstore/shops/{SHOP_PATH}/expire-access-tokens")
def expire_tokens(shop: str):  # type: ignore[no-untyped-def]
    return jsonify(expired=expire_access_tokens(_state(), shop))


@bp.post(f"/_devstore/shops/{SHOP_PATH}/uninstall")
def uninstall(shop: str):  # type: ignore[no-untyped-def]
    uninstall_shop(_state(), shop)
    return jsonify(installed=False)


@bp.get(f"/_devstore/shops/{SHOP_PATH}/id-token")
def mint_id_token(shop: str):  # type: ignore[no-untyped-def]
    """A fresh ID token for `shop`, as App Bridge's `shopify.idToken()` would return."""
    state = _state()
    return jsonify(id_token=sign_id_token(shop, state.config.api_key, state.config.api_secret))
