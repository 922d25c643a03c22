"""Custom event definitions and the stored events themselves."""

from __future__ import annotations

from peewee import (
    BigAutoField,
    BooleanField,
    CharField,
    DateTimeField,
    DecimalField,
    JSONField,
    SmallIntegerField,
    TextField,
)

from models.base import BaseModel, TimestampedModel, utcnow
from models.fields import InetField


class CustomEvent(TimestampedModel):
    """A merchant-defined event: which shopper action on which pages fires it."""

    app_id = CharField(max_length=255)
    name = CharField(max_length=64)
    display_name = CharField(max_length=255)
    description = TextField(null=True)
    meta_event_name = CharField(max_length=64, null=True)
    page_type = CharField(max_length=64, default="all")
    page_url = CharField(max_length=500, null=True)
    event_type = CharField(max_length=16, default="click")
    selector = CharField(max_length=500, null=True)
    scroll_depth = SmallIntegerField(null=True)  # percent, for scroll triggers
    event_data = JSONField(default=dict)
    is_active = BooleanField(default=True)

    class Meta:
        table_name = "custom_events"
        indexes = ((("app_id", "name"), True),)


class Event(BaseModel):
    """One recorded shopper action (storefront, webhook or API), enriched at ingest.

    PostgreSQL partitions this table by month with the primary key (id, created_at), and its
    two unique indexes below live in `event_keys` instead (migration 0019,
    docs/partitioning.md): store events through shopify_app/ingest/writer.py, which fills it.
    """

    id = BigAutoField()
    app_id = CharField(max_length=255)
    event_name = CharField(max_length=64)
    custom_data = JSONField(default=dict)  # the seed's name (was event_data, migration 0009)
    url = TextField(null=True)  # the page's URL; the seed's name (was page_url)
    user_agent = TextField(null=True)
    ip_address = InetField(null=True)
    device_type = CharField(max_length=16, null=True)
    browser = CharField(max_length=64, null=True)
    country = CharField(max_length=2, null=True)
    city = CharField(max_length=128, null=True)
    utm_source = CharField(max_length=255, null=True)
    utm_medium = CharField(max_length=255, null=True)
    utm_campaign = CharField(max_length=255, null=True)
    utm_term = CharField(max_length=255, null=True)
    utm_content = CharField(max_length=255, null=True)
    session_id = CharField(max_length=64, null=True)
    value = DecimalField(max_digits=14, decimal_places=2, null=True)
    currency = CharField(max_length=3, null=True)
    created_at = DateTimeField(default=utcnow, index=True)
    # Added by migration 0002.
    event_id = CharField(max_length=64, null=True)
    source = CharField(max_length=16, default="storefront")
    page_type = CharField(max_length=64, null=True)
    referrer = TextField(null=True)
    fbclid = CharField(max_length=255, null=True)
    gclid = CharField(max_length=255, null=True)
    ttclid = CharField(max_length=255, null=True)
    fbp = CharField(max_length=255, null=True)
    fbc = CharField(max_length=255, null=True)
    order_id = CharField(max_length=64, null=True)
    # Added by migration 0006.
    fingerprint = CharField(max_length=32, null=True)  # daily-salted hash, never raw identifiers
    marketing_consent = BooleanField(null=True)  # None: unknown (no consent API on the page)
    customer_id = CharField(max_length=32, null=True)  # Shopify's logged-in customer, if any

    class Meta:
        table_name = "events"
        indexes = (
            (("app_id", "event_name"), False),
            (("app_id", "event_id"), True),
            (("app_id", "order_id"), False),
            (("app_id", "created_at"), False),  # migration 0007
            (("app_id", "session_id"), False),  # migration 0013: sessions and funnels
        )


# One purchase per order, whatever its event id (migration 0010). Partial: other events carry
# order ids too (none today, but a refund or a custom event might).
Event.add_index(
    Event.index(
        Event.app_id,
        Event.order_id,
        unique=True,
        name="events_purchase_order",
        where=(Event.event_name == "purchase"),
    )
)
