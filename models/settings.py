"""Per-shop settings: the Meta pixel and the tracking toggles."""

from __future__ import annotations

from peewee import BooleanField, CharField, DateTimeField, TextField

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
    # Meta Conversions API options (migration 0011).
    test_event_code = CharField(max_length=64, null=True)  # routes events to Test Events
    consent_when_unknown = CharField(max_length=16, default="by_region")  # send|skip|by_region
    meta_browser_pixel = BooleanField(default=False)  # also fire fbq() in the browser
    meta_page_views = BooleanField(default=False)  # page views go to Meta as PageView
    meta_paused_at = DateTimeField(null=True)  # Meta refused the token: deliveries wait
    meta_pause_reason = TextField(null=True)

    class Meta:
        table_name = "app_settings"
