"""Signature variants over real HTTP: nothing is stored unless the body is authentic."""

from __future__ import annotations

from devstore import webhooks as shopify
from models import WebhookDelivery, WebhookStatus
from tests.conftest import TEST_API_SECRET
from tests.webhooks.conftest import OLD_SECRET, SHOP, inbox, purchases


def test_missing_signature_is_refused_and_nothing_stored(hooks):
    sent = hooks.send("orders/paid", hooks.order(), headers={"X-Shopify-Hmac-Sha256": ""})
    assert sent.status == 401
    assert sent.body == {"error": "invalid webhook signature"}
    assert WebhookDelivery.select().count() == 0


def test_wrong_signature_is_refused_and_nothing_stored(hooks):
    sent = hooks.send("orders/paid", hooks.order(), secret="not-the-app-secret")
    assert sent.status == 401
    assert WebhookDelivery.select().count() == 0
    assert purchases() == []


def test_old_secret_is_accepted_during_rotation(hooks):
    sent = hooks.send("orders/paid", hooks.order(), secret=OLD_SECRET)
    assert sent.status == 200
    assert [d.status for d in inbox()] == [WebhookStatus.PROCESSED]
    assert len(purchases()) == 1


def test_body_altered_by_one_byte_is_refused(hooks):
    body = shopify.encode(hooks.order(total_price="59.80"))
    signed = shopify.headers_for("orders/paid", SHOP, body, TEST_API_SECRET, webhook_id="w1")
    tampered = body.replace(b'"total_price":"59.80"', b'"total_price":"59.89"')
    assert len(tampered) == len(body) and tampered != body
    sent = hooks.send("orders/paid", tampered, headers=signed)
    assert sent.status == 401
    assert WebhookDelivery.select().count() == 0


def test_order_in_unprefixed_header_form_becomes_a_purchase(hooks):
    # Order payloads never name their shop: the shop comes from `shopify-shop-domain`.
    payload = hooks.order()
    assert "shop_domain" not in payload
    sent = hooks.send("orders/paid", payload, style=shopify.EVENTS)
    assert sent.status == 200
    assert [(d.topic, d.app_id) for d in inbox()] == [("orders/paid", SHOP)]
    assert len(purchases()) == 1


def test_delivery_without_a_shop_header_is_refused_even_if_the_body_names_one(hooks):
    sent = hooks.send(
        "shop/redact", shopify.shop_redact(SHOP), headers={"X-Shopify-Shop-Domain": ""}
    )
    assert sent.status == 400
    assert "shop domain header" in sent.body["error"]
    assert WebhookDelivery.select().count() == 0
