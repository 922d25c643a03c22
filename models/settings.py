"""Per-shop settings: the Meta pixel and the tracking toggles."""

from __future__ import annotations

from peewee import BooleanField, CharField, DateTimeField

from models.base import TimestampedModel
from models.fields import EncryptedTextField


class AppSettings(TimestampedModel):
    app_id = CharField(max_length=255, unique=True)
    pixel_id = CharField(max_length=32, null=True)
    access_token = EncryptedTextField(null=True)
    token_expires_at = DateTimeField(null=True)
    # The four toggles.
    tracking_enabled = BooleanField(default=True)
    track_page_views = BooleanField(default=True)
    send_to_meta = BooleanField(default=False)
    record_location = BooleanField(default=True)

    class Meta:
        table_name = "app_settings"
