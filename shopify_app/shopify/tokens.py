"""The shop's offline token: store a grant, hand out a fresh token, refresh exactly once.

Concurrent requests for one shop must refresh once: Shopify rotates the refresh token on every
refresh, and two pairs racing into the row would leave one of them orphaned. Threads of one
process queue on a per-shop lock; across processes PostgreSQL holds the row with
SELECT ... FOR UPDATE for the duration of the refresh. SQLite has no row locks, so there the
write is a compare-and-swap on `token_version`: a process that loses the race discards its pair
(Shopify keeps the previous refresh token usable until the new one is first used) and uses the
stored one.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hmac
import logging
from dataclasses import dataclass

from models import Shop, ShopState, db, utcnow
from models.database import is_postgresql
from shopify_app.shopify import oauth
from shopify_app.shopify.errors import OAuthError, ShopNotInstalledError
from shopify_app.shopify.locks import keyed_lock
from shopify_app.shopify.oauth import TokenGrant
from shopify_app.shopify.settings import ShopifySettings

log = logging.getLogger(__name__)

# Refresh ahead of expiry, so a token never expires between being handed out and being used.
REFRESH_MARGIN = dt.timedelta(minutes=5)


@dataclass(frozen=True)
class StoredToken:
    value: str
    version: int

    def __repr__(self) -> str:
        return f"StoredToken(version={self.version})"


def grant_columns(grant: TokenGrant) -> dict[str, object]:
    """Columns for a newly issued pair; the caller bumps `token_version` in the same write."""
    return {
        "access_token": grant.access_token,
        "access_token_expires_at": grant.expires_at,
        "refresh_token": grant.refresh_token,
        "refresh_token_expires_at": grant.refresh_token_expires_at,
        "scopes": grant.scope,
    }


def has_usable_token(shop: Shop | None) -> bool:
    """Installed, with an access token that is still valid or can be refreshed."""
    if shop is None or shop.state != ShopState.INSTALLED or not shop.access_token:
        return False
    now = utcnow()
    if shop.access_token_expires_at is None or shop.access_token_expires_at > now:
        return True
    return bool(shop.refresh_token) and (
        shop.refresh_token_expires_at is None or shop.refresh_token_expires_at > now
    )


def access_token_for(settings: ShopifySettings, shop: str) -> StoredToken:
    """A token valid for at least REFRESH_MARGIN, refreshing it first if needed."""
    row = Shop.get_or_none(Shop.domain == shop)
    if row is None or row.state != ShopState.INSTALLED or not row.access_token:
        raise ShopNotInstalledError(f"{shop} has no offline token")
    if _fresh(row):
        return StoredToken(row.access_token, row.token_version)
    return _refresh(settings, shop, seen=StoredToken(row.access_token, row.token_version))


def refresh_rejected_token(
    settings: ShopifySettings, shop: str, rejected: StoredToken
) -> StoredToken:
    """After the Admin API answered 401 to `rejected`: refresh once, unless another did already."""
    return _refresh(settings, shop, seen=rejected, rejected=True)


def _fresh(row: Shop) -> bool:
    expires = row.access_token_expires_at
    return expires is None or expires - utcnow() > REFRESH_MARGIN


def _row_lock_transaction():  # type: ignore[no-untyped-def]
    # On SQLite a read transaction held across the HTTP call would make the final write fail
    # with SQLITE_BUSY_SNAPSHOT whenever anything else wrote meanwhile; the CAS covers SQLite.
    return db.atomic() if is_postgresql(db) else contextlib.nullcontext()


def _refresh(
    settings: ShopifySettings, shop: str, *, seen: StoredToken, rejected: bool = False
) -> StoredToken:
    with keyed_lock(f"tokens:{shop}"):
        with _row_lock_transaction():
            query = Shop.select().where(Shop.domain == shop)
            row = (query.for_update() if is_postgresql(db) else query).get_or_none()
            if row is None or row.state != ShopState.INSTALLED or not row.access_token:
                raise ShopNotInstalledError(f"{shop} has no offline token")
            current = StoredToken(row.access_token, row.token_version)
            replaced = row.token_version != seen.version or not hmac.compare_digest(
                current.value, seen.value
            )
            if replaced and (rejected or _fresh(row)):
                return current  # another request refreshed while this one waited
            refused = _refresh_refusal(row)
            if refused is None:
                try:
                    grant = oauth.refresh(settings, shop, row.refresh_token)
                except OAuthError as exc:
                    if exc.code not in (OAuthError.INVALID_GRANT, OAuthError.INVALID_CLIENT):
                        raise
                    refused = exc.code
                else:
                    if _store_refreshed(shop, grant, row.token_version):
                        log.info("refreshed the offline token of %s", shop)
                        return StoredToken(grant.access_token, row.token_version + 1)
        if refused is not None:
            # Outside the transaction: raising inside it would roll this write back.
            _mark_needs_reauth(shop, row.token_version)
            raise ShopNotInstalledError(f"{shop} must re-authorise ({refused})")
    # Another process stored a pair first (SQLite only): use the one in the database.
    winner = Shop.get_or_none(Shop.domain == shop)
    if winner is None or winner.state != ShopState.INSTALLED or not winner.access_token:
        raise ShopNotInstalledError(f"{shop} has no offline token")
    return StoredToken(winner.access_token, winner.token_version)


def _refresh_refusal(row: Shop) -> str | None:
    """Why refreshing cannot work without asking Shopify, or None when it can."""
    if not row.refresh_token:
        return "no refresh token"
    expires = row.refresh_token_expires_at
    if expires is not None and expires <= utcnow():
        return "refresh token expired"
    return None


def _store_refreshed(shop: str, grant: TokenGrant, version: int) -> bool:
    """Compare-and-swap: store the pair only if nobody stored one since `version` was read."""
    return bool(
        Shop.update(**grant_columns(grant), token_version=version + 1, updated_at=utcnow())
        .where(
            (Shop.domain == shop)
            & (Shop.token_version == version)
            & (Shop.state == ShopState.INSTALLED)
        )
        .execute()
    )


def _mark_needs_reauth(shop: str, version: int) -> None:
    log.warning("%s needs re-authorisation: its refresh was refused", shop)
    Shop.update(state=ShopState.NEEDS_REAUTH, updated_at=utcnow()).where(
        (Shop.domain == shop) & (Shop.token_version == version)
    ).execute()
