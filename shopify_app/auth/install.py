"""Installing a shop: turn a grant into a stored token pair, then sync the storefront config
and create (or update) the app's web pixel."""

from __future__ import annotations

from peewee import IntegrityError

from models import Shop, ShopState, db, utcnow
from shopify_app.auth.id_token import IdToken
from shopify_app.pixel.install import ensure_web_pixel, pixel_needs_sync
from shopify_app.shopify import oauth
from shopify_app.shopify.config_sync import sync_storefront_config
from shopify_app.shopify.locks import keyed_lock
from shopify_app.shopify.oauth import TokenGrant
from shopify_app.shopify.settings import ShopifySettings
from shopify_app.shopify.tokens import grant_columns, has_usable_token


def ensure_installed(settings: ShopifySettings, id_token: IdToken) -> Shop:
    """The shop's row, after a token exchange if it has no usable offline token.

    Raises OAuthError (e.g. `invalid_subject_token`: get a fresh ID token) or another
    ShopifyError when Shopify cannot be asked.
    """
    shop = id_token.shop
    # Several admin tabs opening at once exchange one token, not one each.
    with keyed_lock(f"install:{shop}"):
        row = Shop.get_or_none(Shop.domain == shop)
        installed = has_usable_token(row)
        if not installed:
            grant = oauth.exchange_id_token(settings, shop, id_token.raw)
            record_install(shop, grant)
    if installed:
        if pixel_needs_sync(shop):  # the install's attempt failed: an admin visit retries it
            ensure_web_pixel(shop)
        return row
    sync_storefront_config(shop)  # a failure is recorded as pending and retried later
    ensure_web_pixel(shop)  # likewise: recorded, and retried by the next admin visit
    return Shop.get(Shop.domain == shop)


def install_with_code(settings: ShopifySettings, shop: str, code: str) -> Shop:
    """Authorization-code grant: exchange the callback's code, store the pair, sync config."""
    grant = oauth.exchange_code(settings, shop, code)
    record_install(shop, grant)
    sync_storefront_config(shop)
    ensure_web_pixel(shop)
    return Shop.get(Shop.domain == shop)


def record_install(shop: str, grant: TokenGrant) -> None:
    """Store the pair and mark the shop installed (a reinstall revives the same row)."""
    now = utcnow()
    with db.atomic():
        row = Shop.get_or_none(Shop.domain == shop)
        fresh_install = row is None or row.state == ShopState.UNINSTALLED or not row.installed_at
        fields: dict[str, object] = {
            **grant_columns(grant),
            "state": ShopState.INSTALLED,
            "uninstalled_at": None,
            "updated_at": now,
        }
        if fresh_install:
            fields["installed_at"] = now
        if row is not None:
            _update(shop, fields)
            return
        try:
            with db.atomic():  # a savepoint: a concurrent insert must not abort the outer work
                Shop.create(domain=shop, **fields)
        except IntegrityError:
            _update(shop, fields)


def _update(shop: str, fields: dict[str, object]) -> None:
    Shop.update(**fields, token_version=Shop.token_version + 1).where(Shop.domain == shop).execute()
