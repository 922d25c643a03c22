"""Picker sessions: one per "Pick on my storefront", holding the storefront's latest choice
until the admin tab collects it (storefront and admin are different origins, so the choice
travels through the app)."""

from __future__ import annotations

from peewee import CharField, DateTimeField, IntegerField, JSONField

from models.base import TimestampedModel


class PickerSession(TimestampedModel):
    """A short-lived picker: the storefront posts selections, the admin polls for them."""

    app_id = CharField(max_length=255)
    session_id = CharField(max_length=32)  # random, carried inside the signed picker token
    expires_at = DateTimeField()
    selection = JSONField(null=True)  # the latest "Use this": selector, trigger, page, count
    seq = IntegerField(default=0)  # bumped on every selection, so the admin sees new ones

    class Meta:
        table_name = "picker_sessions"
        indexes = ((("app_id", "session_id"), True),)
