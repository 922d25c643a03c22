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
    # The seed's four toggles (migration 0009), then ours.
    custom_events_enabled = BooleanField(default=True)  # custom events fire and are recorded
    track_pageviews = BooleanField(default=True)  # a page_view for every page
    track_clicks = BooleanField(default=True)  # click autocapture on links and buttons
    record_location = BooleanField(default=True)  # IP address, country and city
    send_to_meta = BooleanField(default=False)

    class Meta:
        table_name = "app_settings"
