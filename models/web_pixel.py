"""The app's web pixel on each shop: the hash of the per-shop key the pixel sends, and the id
Shopify gave the pixel. The key itself is never stored: it is random (256 bits), so a plain
SHA-256 is enough to check it and useless to anyone who reads the table."""

from __future__ import annotations

from peewee import CharField, DateTimeField

from models.base import TimestampedModel


class WebPixel(TimestampedModel):
    app_id = CharField(max_length=255, unique=True)
    key_hash = CharField(max_length=64)  # sha256 hex of the key in the pixel's settings
    web_pixel_id = CharField(max_length=255, null=True)  # Shopify's gid, once created
    synced_at = DateTimeField(null=True)  # last successful webPixelCreate/Update
    sync_error = CharField(max_length=500, null=True)

    class Meta:
        table_name = "web_pixels"
