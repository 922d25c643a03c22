"""Round trips and constraints of the data model, on SQLite and PostgreSQL."""

from __future__ import annotations

import ipaddress

import pytest
from peewee import IntegrityError

from models import AppSettings, CustomEvent, Delivery, Event, Shop, WebhookDelivery
from models.crypto import TokenCipher, TokenDecryptionError, configure_cipher, generate_key
from models.event_rows import delete_events
from shopify_app.ingest.writer import NewEvent, write_events
from tests.conftest import TEST_ENCRYPTION_KEY, is_postgresql

SHOP = "acme.myshopify.com"


def test_custom_data_json_round_trips_nested_values(db):
    data = {"sku": "SKU-7", "tags": ["a", "b"], "price": 12.5, "nested": {"ok": True, "n": None}}
    event = Event.create(app_id=SHOP, event_name="add_to_wishlist", custom_data=data)
    assert Event.get_by_id(event.id).custom_data == data


def test_custom_data_can_be_queried_by_key(db):
    Event.create(app_id=SHOP, event_name="view", custom_data={"sku": "A"})
    Event.create(app_id=SHOP, event_name="view", custom_data={"sku": "B"})
    assert Event.select().where(Event.custom_data["sku"] == "B").count() == 1


@pytest.mark.parametrize("address", ["81.2.69.142", "2001:4860:4860::8888", "::1"])
def test_ip_address_round_trips_ipv4_and_ipv6(db, address):
    event = Event.create(app_id=SHOP, event_name="view", ip_address=address)
    assert Event.get_by_id(event.id).ip_address == ipaddress.ip_address(address)


def test_ip_address_column_is_inet_on_postgresql(db):
    if not is_postgresql(db):
        pytest.skip("INET is a PostgreSQL type")
    (data_type,) = db.execute_sql(
        "SELECT data_type FROM information_schema.columns "
        "WHERE table_name = 'events' AND column_name = 'ip_address'"
    ).fetchone()
    assert data_type == "inet"


def test_invalid_ip_address_is_refused_before_reaching_the_database(db):
    with pytest.raises(ValueError):
        Event.create(app_id=SHOP, event_name="view", ip_address="999.1.1.1")
    assert Event.select().count() == 0


def test_access_and_refresh_tokens_are_encrypted_at_rest(db):
    Shop.create(domain=SHOP, access_token="shpat_plain_access", refresh_token="shprt_plain_refresh")
    raw_access, raw_refresh = db.execute_sql(
        "SELECT access_token, refresh_token FROM shops"
    ).fetchone()
    assert "shpat_plain_access" not in raw_access
    assert "shprt_plain_refresh" not in raw_refresh
    shop = Shop.get(Shop.domain == SHOP)
    assert (shop.access_token, shop.refresh_token) == ("shpat_plain_access", "shprt_plain_refresh")


def test_settings_access_token_is_encrypted_at_rest(db):
    AppSettings.create(app_id=SHOP, pixel_id="123", access_token="EAAB-meta-token")
    (raw,) = db.execute_sql("SELECT access_token FROM app_settings").fetchone()
    assert "EAAB-meta-token" not in raw
    assert AppSettings.get(AppSettings.app_id == SHOP).access_token == "EAAB-meta-token"


def test_token_encrypted_with_a_rotated_out_key_fails_loudly(db):
    Shop.create(domain=SHOP, access_token="shpat_secret")
    configure_cipher(generate_key())  # the old key is gone from the list
    try:
        with pytest.raises(TokenDecryptionError):
            Shop.get(Shop.domain == SHOP)
    finally:
        configure_cipher(TEST_ENCRYPTION_KEY)


def test_key_rotation_keeps_old_tokens_readable_and_rotates_them():
    old, new = generate_key(), generate_key()
    ciphertext = TokenCipher(old).encrypt("shpat_secret")
    rotated_cipher = TokenCipher(f"{new},{old}")
    assert rotated_cipher.decrypt(ciphertext) == "shpat_secret"
    rotated = rotated_cipher.rotate(ciphertext)
    assert TokenCipher(new).decrypt(rotated) == "shpat_secret"


def test_custom_event_name_is_unique_per_shop(db):
    CustomEvent.create(app_id=SHOP, name="wishlist", display_name="Wishlist", event_type="click")
    CustomEvent.create(
        app_id="other.myshopify.com", name="wishlist", display_name="W", event_type="click"
    )
    with pytest.raises(IntegrityError):
        CustomEvent.create(app_id=SHOP, name="wishlist", display_name="Again", event_type="click")


def test_event_id_is_stored_once_per_shop(db):
    assert write_events(SHOP, [NewEvent("e-1", "view")]) == ["e-1"]
    assert write_events("other.myshopify.com", [NewEvent("e-1", "view")]) == ["e-1"]
    # A retry, and an id repeated within one statement, store nothing twice.
    assert write_events(SHOP, [NewEvent("e-1", "view"), NewEvent("e-2", "view")]) == ["e-2"]
    write_events(SHOP, [NewEvent("e-3", "view"), NewEvent("e-3", "view")])
    Event.create(app_id=SHOP, event_name="view")  # events without an id never collide
    Event.create(app_id=SHOP, event_name="view")
    stored = sorted(e.event_id or "" for e in Event.select().where(Event.app_id == SHOP))
    assert stored == ["", "", "e-1", "e-2", "e-3"]


def test_the_database_refuses_a_second_row_for_an_event_id(db):
    # SQLite: a unique index on events. PostgreSQL: events is partitioned, the key lives in
    # event_keys (migration 0019), which every writer statement fills.
    if is_postgresql(db):
        write_events(SHOP, [NewEvent("e-1", "view")])
        keys = db.execute_sql("SELECT app_id, event_id, id FROM event_keys").fetchall()
        assert keys == [(SHOP, "e-1", Event.get().id)]
        with pytest.raises(IntegrityError), db.atomic():
            db.execute_sql(
                "INSERT INTO event_keys (app_id, event_id, id) VALUES (%s, 'e-1', 0)", (SHOP,)
            )
        return
    Event.create(app_id=SHOP, event_name="view", event_id="e-1")
    with pytest.raises(IntegrityError):
        Event.create(app_id=SHOP, event_name="view", event_id="e-1")


def test_shop_domain_and_webhook_id_are_unique(db):
    Shop.create(domain=SHOP)
    with pytest.raises(IntegrityError):
        Shop.create(domain=SHOP)
    WebhookDelivery.create(webhook_id="w-1", app_id=SHOP, topic="orders/paid", body="{}")
    with pytest.raises(IntegrityError):
        WebhookDelivery.create(webhook_id="w-1", app_id=SHOP, topic="orders/paid", body="{}")


def test_one_delivery_per_event_and_destination(db):
    event = Event.create(app_id=SHOP, event_name="purchase")
    Delivery.create(app_id=SHOP, event=event, destination="meta")
    with pytest.raises(IntegrityError):
        Delivery.create(app_id=SHOP, event=event, destination="meta")


def test_deleting_events_deletes_their_deliveries_and_keys(db):
    # No cascade on PostgreSQL (deliveries cannot reference a partitioned table's id): every
    # path that deletes events goes through delete_events.
    write_events(SHOP, [NewEvent("p-1", "page_view"), NewEvent("p-2", "page_view")])
    first, second = (e.id for e in Event.select().order_by(Event.id))
    Delivery.create(app_id=SHOP, event=first, destination="meta")
    Delivery.create(app_id=SHOP, event=second, destination="meta")
    gone = delete_events([first])
    assert (gone.events, gone.deliveries) == (1, 1)
    assert [d.event_id for d in Delivery.select()] == [second]
    # Its id is free again: the key went with it.
    assert write_events(SHOP, [NewEvent("p-1", "page_view"), NewEvent("p-2", "page_view")]) == [
        "p-1"
    ]
    assert delete_events([second], "other.myshopify.com").events == 0  # scoped by shop
