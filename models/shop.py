"""Installed shops: one tenant each, with their encrypted Admin API tokens."""

from __future__ import annotations

from peewee import CharField, DateTimeField, IntegerField, TextField

from models.base import TimestampedModel
from models.fields import EncryptedTextField


class ShopState:
    INSTALLED = "installed"
    UNINSTALLED = "uninstalled"
    NEEDS_REAUTH = "needs_reauth"


class Shop(TimestampedModel):
    domain = CharField(max_length=255, unique=True)  # permanent *.myshopify.com domain = app_id
    state = CharField(max_length=16, default=ShopState.INSTALLED)
    access_token = EncryptedTextField(null=True)
    access_token_expires_at = DateTimeField(null=True)
    refresh_token = EncryptedTextField(null=True)
    refresh_token_expires_at = DateTimeField(null=True)
    scopes = TextField(default="")
    installed_at = DateTimeField(null=True)
    uninstalled_at = DateTimeField(null=True)
    # Compare-and-swap guard: every stored token pair bumps it (see shopify_app/shopify/tokens.py).
    token_version = IntegerField(default=0)
    # Storefront config in the app-data metafield: when it last landed, and since when a write
    # has been failing (null when in sync), with the last error for the admin UI.
    config_synced_at = DateTimeField(null=True)
    config_sync_pending_since = DateTimeField(null=True)
    config_sync_error = TextField(null=True)
    # Bumped by every change to the config (migration 0008): a sync marks the shop synced only
    # if no change arrived while it wrote, so the newest config is always the one written last.
    config_version = IntegerField(default=0)
    # The shop's IANA time zone from Shopify (migration 0013): report days are its local days.
    iana_timezone = CharField(max_length=64, null=True)

    class Meta:
        table_name = "shops"
