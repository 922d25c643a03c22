"""Signed bodies re-sent under other headers: the body must fit its topic and name the header's
shop, else 400, kept as rejected, and nothing else touched."""

from __future__ import annotations

import pytest

from devstore import webhooks as shopify
from models import CustomEvent, Event, Shop, ShopState, WebhookDelivery, WebhookStatus
from tests.conftest import TEST_API_SECRET
from tests.webhooks.conftest import OTHER_SHOP, SHOP, inbox, purchases
from tests.webhooks.test_compliance import populate, rows_per_table
from webhooks.inbox import RetryReport, retry_failed_webhooks


def test_order_body_resent_as_shop_redact_for_another_shop_erases_nothing(hooks):
    populate(OTHER_SHOP)
    Shop.update(state=ShopState.UNINSTALLED).where(Shop.domain == OTHER_SHOP).execute()
    captured = shopify.encode(hooks.order())  # a genuine orders/create body, signed as Shopify
    before = rows_per_table(OTHER_SHOP)

    replayed = hooks.send("shop/redact", captured, shop=OTHER_SHOP)

    assert replayed.status == 400
    assert "shop/redact payload needs 'shop_id'" in replayed.body["error"]
    assert rows_per_table(OTHER_SHOP) == {**before, "webhook_deliveries": 2}
    stored = WebhookDelivery.get(WebhookDelivery.webhook_id == replayed.webhook_id)
    assert (stored.status, stored.topic) == (WebhookStatus.REJECTED, "shop/redact")


def test_redact_of_one_shop_resent_for_another_shop_is_rejected(hooks):
    populate(OTHER_SHOP)
    Shop.update(state=ShopState.UNINSTALLED).where(Shop.domain == OTHER_SHOP).execute()
    sent = hooks.send("shop/redact", shopify.shop_redact(SHOP), shop=OTHER_SHOP)
    assert sent.status == 400
    assert "shop_domain is not the shop in the headers" in sent.body["error"]
    assert Shop.get(Shop.domain == OTHER_SHOP).access_token == "shpat_x"
    assert CustomEvent.select().where(CustomEvent.app_id == OTHER_SHOP).count() == 1


@pytest.mark.parametrize(
    ("topic", "payload", "missing"),
    [
        ("orders/paid", {"total_price": "1.00", "currency": "EUR", "line_items": []}, "id"),
        ("orders/create", {"id": 1, "total_price": "1.00", "currency": "EUR"}, "line_items"),
        ("orders/paid", {"id": 1, "line_items": {"not": "a list"}}, "line_items"),
        ("app/uninstalled", {"id": 1, "name": "Acme"}, "myshopify_domain"),
        ("shop/redact", {"shop_domain": SHOP}, "shop_id"),
        ("shop/redact", {"shop_id": 1}, "shop_domain"),
        ("customers/redact", {"shop_id": 1, "shop_domain": SHOP, "customer": {"id": 5}}, "orders"),
        (
            "customers/data_request",
            {"shop_id": 1, "shop_domain": SHOP, "customer": {"id": 5}, "orders_requested": []},
            "data_request",
        ),
        ("customers/data_request", {"shop_id": 1, "shop_domain": SHOP}, "customer"),
    ],
)
def test_body_without_its_topics_fields_is_rejected(hooks, topic, payload, missing):
    sent = hooks.send(topic, payload)
    assert sent.status == 400
    assert f"{topic} payload needs" in sent.body["error"] and missing in sent.body["error"]
    assert [d.status for d in inbox()] == [WebhookStatus.REJECTED]
    assert Event.select().count() == 0


@pytest.mark.parametrize(
    ("topic", "payload"),
    [
        ("customers/redact", shopify.customers_redact(OTHER_SHOP, 7, orders=[1])),
        ("customers/data_request", shopify.customers_data_request(OTHER_SHOP, 7, orders=[1])),
        ("app/uninstalled", shopify.shop_resource(OTHER_SHOP)),
        ("app/uninstalled", {**shopify.shop_resource(SHOP), "domain": OTHER_SHOP}),
    ],
)
def test_body_naming_another_shop_is_rejected(hooks, topic, payload):
    populate(SHOP)
    sent = hooks.send(topic, payload)
    assert sent.status == 400
    assert "not the shop in the headers" in sent.body["error"]
    assert [d.status for d in inbox()][-1] == WebhookStatus.REJECTED
    assert Shop.get(Shop.domain == SHOP).state == ShopState.INSTALLED
    assert Shop.get(Shop.domain == SHOP).access_token == "shpat_x"


def test_uninstall_of_a_shop_with_its_own_primary_domain_is_accepted(hooks):
    populate(SHOP)
    resource = {**shopify.shop_resource(SHOP), "domain": "www.acme-outdoors.example"}
    assert hooks.send("app/uninstalled", resource).status == 200
    assert Shop.get(Shop.domain == SHOP).state == ShopState.UNINSTALLED


def test_rejected_delivery_stays_rejected_on_retry_and_is_never_processed(hooks):
    order = hooks.order()
    del order["line_items"]
    tries = shopify.send_until_acknowledged(
        hooks.app_url, "orders/paid", SHOP, order, secret=TEST_API_SECRET, attempts=3
    )
    assert [t.status for t in tries] == [400, 400, 400]
    assert retry_failed_webhooks() == RetryReport(processed=0, failed=0)
    (row,) = inbox()
    assert (row.status, row.attempts) == (WebhookStatus.REJECTED, 1)
    assert purchases() == []


def test_shop_redact_for_an_installed_shop_is_recorded_and_ignored(hooks):
    populate(SHOP)
    before = rows_per_table(SHOP)
    answer = hooks.send("shop/redact", shopify.shop_redact(SHOP))
    assert answer.status == 200
    assert rows_per_table(SHOP) == {**before, "webhook_deliveries": 2}
    assert [(d.topic, d.status) for d in inbox()][-1] == ("shop/redact", WebhookStatus.PROCESSED)
    assert Shop.get(Shop.domain == SHOP).access_token == "shpat_x"
