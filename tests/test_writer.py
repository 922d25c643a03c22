"""The event writer: once per event_id, outbox rows only when they are due."""

from __future__ import annotations

from models import AppSettings, Delivery, Event
from shopify_app.ingest.writer import NewEvent, write_events

SHOP = "acme.myshopify.com"


def purchase(event_id: str, consent: bool = True) -> NewEvent:
    return NewEvent(
        event_id=event_id,
        event_name="purchase",
        columns={"value": "19.90", "currency": "EUR", "source": "webhook"},
        meta_event_name="Purchase",
        marketing_consent=consent,
    )


def test_same_event_id_is_stored_once(db):
    assert write_events(SHOP, [purchase("order-1")]) == ["order-1"]
    assert write_events(SHOP, [purchase("order-1"), purchase("order-2")]) == ["order-2"]
    assert Event.select().where(Event.app_id == SHOP).count() == 2


def test_no_delivery_without_a_pixel(db):
    write_events(SHOP, [purchase("order-1")])
    assert Delivery.select().count() == 0


def test_delivery_queued_once_for_consenting_mapped_events_when_meta_is_on(db):
    AppSettings.create(app_id=SHOP, pixel_id="1234567890", send_to_meta=True)
    write_events(SHOP, [purchase("order-1"), purchase("order-2", consent=False)])
    write_events(SHOP, [purchase("order-1")])
    deliveries = list(Delivery.select())
    assert [(d.event.event_id, d.event_name, d.destination) for d in deliveries] == [
        ("order-1", "Purchase", "meta")
    ]


def test_events_of_other_shops_never_collide(db):
    write_events(SHOP, [purchase("order-1")])
    assert write_events("other.myshopify.com", [purchase("order-1")]) == ["order-1"]


def test_large_batches_keep_every_column_and_skip_duplicates(db):
    """Large batches take the COPY path on PostgreSQL: every column type must survive it."""
    from decimal import Decimal
    from ipaddress import ip_address

    from shopify_app.ingest.writer import COPY_MIN_ROWS

    def rich(i: int) -> NewEvent:
        return NewEvent(
            event_id=f"evt-{i:04d}",
            event_name="page_view",
            columns={
                "custom_data": {"i": i, "name": "Zoë </script>"},
                "value": Decimal("12.50"),
                "currency": "EUR",
                "ip_address": "2001:db8::1",
                "marketing_consent": i % 2 == 0,
                "utm_source": "news",
                "fingerprint": "f" * 32,
            },
        )

    count = COPY_MIN_ROWS * 2
    assert len(write_events(SHOP, [rich(i) for i in range(count)])) == count
    again = [rich(i) for i in range(count - 5, count + 25)]  # 5 stored already, 25 new
    assert write_events(SHOP, again) == [f"evt-{i:04d}" for i in range(count, count + 25)]
    row = Event.get(Event.event_id == "evt-0002")
    assert row.custom_data == {"i": 2, "name": "Zoë </script>"}
    assert (row.value, row.currency, row.ip_address, row.marketing_consent, row.source) == (
        Decimal("12.50"),
        "EUR",
        ip_address("2001:db8::1"),
        True,
        "storefront",
    )
    assert Event.select().count() == count + 25
