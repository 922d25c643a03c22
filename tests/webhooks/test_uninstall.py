"""app/uninstalled: tokens gone, deliveries stopped, data kept; a reinstall works."""

from __future__ import annotations

import datetime as dt
import json

from devstore import webhooks as shopify
from models import Delivery, DeliveryStatus, Event, Shop, ShopState, WebhookDelivery, utcnow
from models import WebhookStatus as Status
from tests.webhooks.conftest import OTHER_SHOP, SHOP, purchases
from webhooks.inbox import retry_failed_webhooks


def installed_shop(domain: str = SHOP) -> Shop:
    return Shop.create(
        domain=domain,
        state=ShopState.INSTALLED,
        access_token="shpat_live_token",
        access_token_expires_at=utcnow() + dt.timedelta(hours=1),
        refresh_token="shprt_refresh_token",
        refresh_token_expires_at=utcnow() + dt.timedelta(days=90),
        installed_at=utcnow() - dt.timedelta(days=3),
        token_version=3,
    )


def delivery(shop: str, status: str) -> Delivery:
    event = Event.create(
        app_id=shop, event_name="add_to_cart", event_id=f"e-{Event.select().count()}"
    )
    return Delivery.create(app_id=shop, event=event, destination="meta", status=status)


def test_uninstall_deletes_tokens_and_cancels_pending_deliveries(hooks):
    installed_shop()
    installed_shop(OTHER_SHOP)
    pending = [delivery(SHOP, DeliveryStatus.PENDING) for _ in range(2)]
    sent = delivery(SHOP, DeliveryStatus.SENT)
    elsewhere = delivery(OTHER_SHOP, DeliveryStatus.PENDING)

    answer = hooks.send("app/uninstalled", shopify.shop_resource(SHOP))

    assert answer.status == 200
    shop = Shop.get(Shop.domain == SHOP)
    assert shop.state == ShopState.UNINSTALLED and shop.uninstalled_at is not None
    assert (shop.access_token, shop.refresh_token) == (None, None)
    assert (shop.access_token_expires_at, shop.refresh_token_expires_at) == (None, None)
    assert shop.token_version == 4  # an in-flight refresh cannot store its pair back
    status = {d.id: d.status for d in Delivery.select()}
    assert [status[d.id] for d in pending] == [DeliveryStatus.CANCELLED] * 2
    assert status[sent.id] == DeliveryStatus.SENT
    assert status[elsewhere.id] == DeliveryStatus.PENDING
    assert Shop.get(Shop.domain == OTHER_SHOP).access_token == "shpat_live_token"
    assert Event.select().where(Event.app_id == SHOP).count() == 3  # data stays until shop/redact


def test_uninstall_sent_twice_is_harmless(hooks):
    installed_shop()
    assert hooks.send("app/uninstalled", shopify.shop_resource(SHOP)).status == 200
    assert hooks.send("app/uninstalled", shopify.shop_resource(SHOP)).status == 200
    assert Shop.get(Shop.domain == SHOP).state == ShopState.UNINSTALLED


def test_reinstall_after_uninstall_records_purchases_again(hooks):
    installed_shop()
    hooks.send("app/uninstalled", shopify.shop_resource(SHOP))
    hooks.send("orders/paid", hooks.order(order_id=501))
    assert purchases() == []
    # What the install flow does when the merchant installs again.
    Shop.update(state=ShopState.INSTALLED, access_token="shpat_new", installed_at=utcnow()).where(
        Shop.domain == SHOP
    ).execute()
    hooks.send("orders/paid", hooks.order(order_id=502))
    assert [p.order_id for p in purchases()] == ["502"]


def test_late_retry_of_an_uninstall_does_not_undo_a_reinstall(db):
    WebhookDelivery.create(
        webhook_id="wh-old-uninstall",
        app_id=SHOP,
        topic="app/uninstalled",
        body=json.dumps(shopify.shop_resource(SHOP)),
        status=Status.FAILED,
        attempts=1,
        received_at=utcnow() - dt.timedelta(hours=2),
    )
    shop = installed_shop()
    Shop.update(installed_at=utcnow() - dt.timedelta(minutes=5)).where(Shop.id == shop.id).execute()
    assert retry_failed_webhooks().processed == 1
    shop = Shop.get(Shop.domain == SHOP)
    assert (shop.state, shop.access_token) == (ShopState.INSTALLED, "shpat_live_token")
