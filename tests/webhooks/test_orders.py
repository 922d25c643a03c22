"""orders/create and orders/paid → exactly one purchase per order, attributed and enriched."""

from __future__ import annotations

import datetime as dt
import ipaddress
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

from models import AppSettings, Delivery, Event, Shop, ShopState, WebhookStatus
from tests.webhooks.conftest import SHOP, inbox, purchases
from webhooks.attribution import CART_ATTRIBUTES, CONSENT_ATTRIBUTE
from webhooks.identity import sha256

TRACKED = {
    "_sightline_session": "s-7f3a9c",
    "_sightline_utm_source": "newsletter",
    "_sightline_utm_medium": "email",
    "_sightline_utm_campaign": "autumn-sale",
    "_sightline_gclid": "Cj0KCQ-gclid",
    "_fbp": "fb.1.1596403881668.1116446470",
    "_fbc": "fb.1.1554763741205.AbCdEfGh",
}


def test_same_delivery_three_times_records_one_purchase(hooks):
    order = hooks.order()
    first = hooks.send("orders/paid", order, webhook_id="wh-same")
    again = [hooks.send("orders/paid", order, webhook_id="wh-same") for _ in range(2)]
    assert [first.status, *[s.status for s in again]] == [200, 200, 200]
    assert [first.body["status"], *[s.body["status"] for s in again]] == [
        "received",
        "duplicate",
        "duplicate",
    ]
    (row,) = inbox()
    assert (row.webhook_id, row.status, row.attempts) == ("wh-same", WebhookStatus.PROCESSED, 1)
    assert len(purchases()) == 1


def test_orders_create_then_orders_paid_records_one_purchase(hooks):
    order = hooks.order(financial_status="pending")
    assert hooks.send("orders/create", order).status == 200
    paid = {**order, "financial_status": "paid"}
    assert hooks.send("orders/paid", paid).status == 200
    (purchase,) = purchases()
    assert purchase.event_id == f"order:{order['id']}"
    assert purchase.order_id == str(order["id"])
    assert [d.status for d in inbox()] == [WebhookStatus.PROCESSED] * 2


def test_concurrent_deliveries_of_one_order_record_one_purchase(hooks):
    order = hooks.order()
    # 12 at once: below the PostgreSQL pool (16), as gunicorn's 8 threads per worker are.
    topics = ["orders/create", "orders/paid"] * 6
    with ThreadPoolExecutor(max_workers=12) as pool:
        answers = list(pool.map(lambda topic: hooks.send(topic, order), topics))
    assert {a.status for a in answers} == {200}
    assert len(purchases()) == 1
    assert len(inbox()) == 12


def test_purchase_carries_value_currency_landing_url_and_source(hooks):
    order = hooks.order(
        total_price="123.45",
        currency="GBP",
        landing_site="/collections/shirts?ref=home",
        referring_site="https://www.google.com/",
    )
    hooks.send("orders/paid", order)
    (purchase,) = purchases()
    assert purchase.value == Decimal("123.45")
    assert purchase.currency == "GBP"
    assert purchase.source == "webhook"
    assert purchase.url == f"https://{SHOP}/collections/shirts?ref=home"
    assert purchase.referrer == "https://www.google.com/"
    assert purchase.customer_id == str(order["customer"]["id"])
    ordered_at = dt.datetime.fromisoformat(order["processed_at"]).replace(tzinfo=None)
    assert purchase.created_at == ordered_at
    items = purchase.custom_data["line_items"]
    assert [(i["sku"], i["quantity"]) for i in items] == [("LINEN-SHIRT-M", 1), ("SOCKS-2P", 2)]
    assert purchase.custom_data["num_items"] == 3


def test_attribution_comes_from_note_attributes(hooks):
    # The landing URL says otherwise: the tracker's record of the visit wins.
    order = hooks.order(
        note_attributes=TRACKED, landing_site="/?utm_source=google&utm_medium=cpc&fbclid=XYZ"
    )
    hooks.send("orders/paid", order)
    (p,) = purchases()
    assert (p.session_id, p.utm_source, p.utm_medium, p.utm_campaign) == (
        "s-7f3a9c",
        "newsletter",
        "email",
        "autumn-sale",
    )
    assert p.utm_term is None  # UTM is one set from one source, never stitched
    assert (p.fbp, p.fbc, p.gclid) == (TRACKED["_fbp"], TRACKED["_fbc"], "Cj0KCQ-gclid")
    assert p.fbclid == "XYZ"  # a click id the tracker did not have still counts


def test_attribution_falls_back_to_landing_site(hooks):
    order = hooks.order(
        note_attributes={},
        landing_site="/products/linen-shirt?utm_source=facebook&utm_medium=paid_social"
        "&utm_campaign=spring&utm_content=carousel&fbclid=IwAR2xYz",
    )
    hooks.send("orders/paid", order)
    (p,) = purchases()
    assert (p.utm_source, p.utm_medium, p.utm_campaign, p.utm_content) == (
        "facebook",
        "paid_social",
        "spring",
        "carousel",
    )
    assert p.fbclid == "IwAR2xYz"
    # Meta's fallback when the _fbc cookie is missing: fb.1.<ms>.<fbclid>, click id unchanged.
    assert p.fbc.startswith("fb.1.") and p.fbc.endswith(".IwAR2xYz")
    assert p.session_id is None and p.fbp is None


def test_device_and_location_come_from_client_details_and_browser_ip(hooks):
    hooks.send("orders/paid", hooks.order(browser_ip="81.2.69.160"))
    (p,) = purchases()
    assert (p.device_type, p.browser) == ("mobile", "Mobile Safari")
    assert p.ip_address == ipaddress.ip_address("81.2.69.160")
    assert p.country == "GB"
    assert "iPhone" in p.user_agent


def test_location_is_not_recorded_when_the_shop_turned_it_off(hooks):
    AppSettings.create(app_id=SHOP, record_location=False)
    hooks.send("orders/paid", hooks.order(browser_ip="81.2.69.160"))
    (p,) = purchases()
    assert (p.ip_address, p.country, p.city) == (None, None, None)
    assert p.device_type == "mobile"


def test_contact_details_are_kept_only_as_hashes(hooks):
    hooks.send("orders/paid", hooks.order(email="Ada@Example.com", phone="+44 7700 900123"))
    (p,) = purchases()
    user = p.custom_data["user_data"]
    assert user["em"] == sha256("ada@example.com")
    assert user["ph"] == sha256("447700900123")
    stored = str(Event.select().dicts().get()) + str([d.body for d in inbox()])
    assert "ada@example.com" not in stored.lower() and "7700" not in stored


def test_purchase_is_queued_for_meta_when_the_shop_has_a_pixel(hooks):
    AppSettings.create(app_id=SHOP, pixel_id="1234567890", send_to_meta=True)
    order = hooks.order(note_attributes={CONSENT_ATTRIBUTE: "1"})
    hooks.send("orders/create", order)
    hooks.send("orders/paid", order)
    (delivery,) = Delivery.select()
    assert (delivery.event.event_id, delivery.event_name, delivery.destination) == (
        f"order:{order['id']}",
        "Purchase",
        "meta",
    )
    assert purchases()[0].marketing_consent is True


def test_refused_marketing_consent_keeps_the_purchase_away_from_meta(hooks):
    AppSettings.create(app_id=SHOP, pixel_id="1234567890", send_to_meta=True)
    hooks.send("orders/paid", hooks.order(note_attributes={CONSENT_ATTRIBUTE: "0"}))
    (p,) = purchases()
    assert p.marketing_consent is False
    assert Delivery.select().count() == 0


def test_no_meta_delivery_without_a_pixel(hooks):
    hooks.send("orders/paid", hooks.order(note_attributes={CONSENT_ATTRIBUTE: "1"}))
    assert len(purchases()) == 1
    assert Delivery.select().count() == 0


def test_orders_of_an_uninstalled_shop_are_not_recorded(hooks):
    Shop.create(domain=SHOP, state=ShopState.UNINSTALLED)
    sent = hooks.send("orders/paid", hooks.order())
    assert sent.status == 200
    assert purchases() == []
    assert [d.status for d in inbox()] == [WebhookStatus.PROCESSED]


def test_cart_attribute_names_cover_every_attribution_column():
    assert set(CART_ATTRIBUTES) == {
        "session_id",
        "utm_source",
        "utm_medium",
        "utm_campaign",
        "utm_term",
        "utm_content",
        "fbclid",
        "gclid",
        "ttclid",
        "fbp",
        "fbc",
    }
    assert all(name.startswith("_") for name in CART_ATTRIBUTES.values())


def test_empty_cart_attributes_of_a_direct_visit_leave_the_landing_url_in_charge(hooks):
    # The tracker writes every attribution key, empty when the visit had none.
    direct = {f"_sightline_{key}": "" for key in ("utm_source", "utm_medium", "fbclid")}
    order = hooks.order(
        note_attributes={"_sightline_session": "s-9", **direct},
        landing_site="/?utm_source=tiktok&utm_medium=paid&ttclid=E.C.P.123",
    )
    hooks.send("orders/paid", order)
    (p,) = purchases()
    assert (p.session_id, p.utm_source, p.utm_medium, p.ttclid) == (
        "s-9",
        "tiktok",
        "paid",
        "E.C.P.123",
    )
