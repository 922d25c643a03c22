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
