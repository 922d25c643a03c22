"""A day's orders against our purchases: 5 sent by webhook and 2 left in the store are found,
repaired once each (late webhooks add nothing), and a failing Admin API never reads as clean."""

from __future__ import annotations

import datetime as dt

from models import AppSettings, Delivery, Event, ReconciliationDay, utcnow
from shopify_app.reconcile.repair import repair_order
from tests.reconcile.conftest import OTHER_SHOP, SHOP, purchases_of

CONSENT = {"note_attributes": {"_sightline_consent_marketing": "granted"}}


def today() -> str:
    return utcnow().date().isoformat()


def test_five_sent_two_missing_then_repaired_exactly_once(store):
    sent = [store.order() for _ in range(5)]
    left = [store.order(webhook=False) for _ in range(2)]

    report = store.api("GET", f"/api/reconciliation?date={today()}").json()

    assert report["complete"] is True
    assert (report["orders"], report["recorded"]) == (7, 5)
    assert sorted(report["missing"]) == sorted(left)
    assert report["alert"] is True and report["drift"] == 2 + report["failed"] + report["pending"]

    repaired = store.api("POST", f"/api/reconciliation/repair?date={today()}").json()

    assert sorted(repaired["repaired"]) == sorted(left) and repaired["not_repaired"] == {}
    assert (repaired["orders"], repaired["recorded"], repaired["missing"]) == (7, 7, [])
    assert all(purchases_of(order_id) == 1 for order_id in sent + left)
    for order_id in left:  # their webhooks arrive after all: nothing more is stored
        assert store.late_webhook(order_id) == 200
    assert all(purchases_of(order_id) == 1 for order_id in sent + left)
    again = store.api("GET", f"/api/reconciliation?date={today()}").json()
    assert (again["orders"], again["recorded"], again["missing"], again["alert"]) == (
        7,
        7,
        [],
        False,
    )


def test_repaired_purchase_is_the_webhooks_purchase_and_goes_to_meta(store):
    AppSettings.create(app_id=SHOP, pixel_id="1234567890", access_token="t", send_to_meta=True)
    by_hook = store.order(**{"order": {"total_price": "42.00", **CONSENT}})
    left = store.order(webhook=False, **{"order": {"total_price": "42.00", **CONSENT}})

    assert store.api("POST", f"/api/reconciliation/repair?date={today()}").json()["repaired"] == [
        left
    ]

    hook, repaired = (Event.get(Event.order_id == o) for o in (by_hook, left))
    assert repaired.event_id == f"order:{left}"
    for column in ("value", "currency", "url", "referrer", "ip_address", "marketing_consent"):
        assert getattr(repaired, column) == getattr(hook, column), column
    for key in ("line_items", "num_items", "financial_status"):
        assert repaired.custom_data[key] == hook.custom_data[key], key
    assert repaired.custom_data["user_data"].keys() == hook.custom_data["user_data"].keys()
    assert repaired.custom_data["topic"] == "reconcile"
    assert [d.event_name for d in Delivery.select().where(Delivery.event == repaired)] == [
        "Purchase"
    ]
    report = store.api("GET", f"/api/reconciliation?date={today()}").json()
    assert (report["pending"], report["delivered"], report["skipped"]) == (2, 0, {})


def test_skipped_purchases_are_counted_with_their_reason(store):
    store.order()  # no consent given, the shop does not send to Meta
    report = store.api("GET", f"/api/reconciliation?date={today()}").json()
    assert report["skipped"] == {"meta_off": 1} and report["drift"] == 0
    assert report["alert"] is False


def test_a_throttled_admin_api_is_retried(store):
    store.order(webhook=False)
    store.faults({"kind": "throttled"}, {"kind": "http", "status": 503, "retry_after": 0})
    report = store.api("GET", f"/api/reconciliation?date={today()}").json()
    assert report["complete"] is True and report["orders"] == 1


def test_an_admin_api_that_keeps_failing_reports_the_day_incomplete(store):
    store.order()
    store.faults(*[{"kind": "http", "status": 503, "retry_after": 0}] * 4)

    response = store.api("GET", f"/api/reconciliation?date={today()}")

    report = response.json()
    assert response.status_code == 200
    assert report["complete"] is False and "503" in report["error"]
    assert report["orders"] is None and report["missing"] is None and report["alert"] is True
    row = ReconciliationDay.get(ReconciliationDay.app_id == SHOP)
    assert row.complete is False
    # A repair on an incomplete day repairs nothing.
    store.faults(*[{"kind": "graphql_error"}])
    repaired = store.api("POST", f"/api/reconciliation/repair?date={today()}").json()
    assert repaired["complete"] is False and repaired["repaired"] == []


def test_a_future_day_or_one_before_install_is_refused(store):
    tomorrow = (utcnow() + dt.timedelta(days=2)).date().isoformat()
    long_ago = "2020-01-01"
    for path in (
        f"/api/reconciliation?date={tomorrow}",
        f"/api/reconciliation?date={long_ago}",
        f"/api/reconciliation/repair?date={tomorrow}",
        "/api/reconciliation?date=yesterday",
        "/api/reconciliation",
    ):
        method = "POST" if "repair" in path else "GET"
        response = store.api(method, path)
        assert response.status_code == 422, path
        assert "error" in response.json()
    assert not ReconciliationDay.select().exists()


def test_an_order_of_another_shop_is_not_stored(store, live):
    order_id = store.order(webhook=False)
    # The other shop has installed too; its Admin API does not know this order.
    from tests.install.conftest import launch

    assert launch(live, OTHER_SHOP).status_code == 200
    with live.app.app_context():
        assert repair_order(OTHER_SHOP, order_id) is False
    assert not Event.select().where(Event.app_id == OTHER_SHOP).exists()
    assert purchases_of(order_id) == 0


def test_without_a_token_the_api_answers_401(store):
    import requests

    response = requests.get(f"{store.live.app_url}/api/reconciliation?date={today()}", timeout=5)
    assert response.status_code == 401


def deliver_all(live) -> None:  # type: ignore[no-untyped-def]
    from shopify_app.destinations.delivery import Deliverer
    from shopify_app.destinations.meta_client import MetaClient

    sender = Deliverer(
        MetaClient(live.app.config["META_GRAPH_URL"], live.app.config["META_API_VERSION"]),
        concurrency=1,
    )
    try:
        sender.deliver_all_due()
    finally:
        sender.close()


def test_repaired_orders_reach_meta_within_7_days_and_expire_after(store, live):
    from models import Shop

    Shop.update(installed_at=utcnow() - dt.timedelta(days=12)).execute()
    AppSettings.create(app_id=SHOP, pixel_id="1234567890", access_token="t", send_to_meta=True)
    days = {age: (utcnow() - dt.timedelta(days=age)).replace(hour=12, minute=0) for age in (2, 9)}
    for moment in days.values():
        store.order(webhook=False, created_at=moment.isoformat() + "Z", **{"order": CONSENT})
        day = moment.date().isoformat()
        assert store.api("POST", f"/api/reconciliation/repair?date={day}").json()["recorded"] == 1

    deliver_all(live)

    recent, old = (
        store.api("GET", f"/api/reconciliation?date={days[age].date().isoformat()}").json()
        for age in (2, 9)
    )
    assert (recent["delivered"], recent["skipped"], recent["alert"]) == (1, {}, False)
    assert (old["delivered"], old["skipped"], old["drift"]) == (0, {"expired": 1}, 0)


def test_days_are_the_shops_local_days(store):
    from models import Shop

    Shop.update(iana_timezone="Asia/Tokyo", installed_at=utcnow() - dt.timedelta(days=5)).execute()
    # 16:00 UTC two days ago is 01:00 the next day in Tokyo.
    moment = (utcnow() - dt.timedelta(days=2)).replace(hour=16, minute=0, second=0)
    order_id = store.order(webhook=False, created_at=moment.isoformat() + "Z")
    utc_day, tokyo_day = moment.date(), moment.date() + dt.timedelta(days=1)

    on_utc_day = store.api("GET", f"/api/reconciliation?date={utc_day}").json()
    on_tokyo_day = store.api("GET", f"/api/reconciliation?date={tokyo_day}").json()

    assert on_utc_day["orders"] == 0 and on_utc_day["zone"] == "Asia/Tokyo"
    assert (on_tokyo_day["orders"], on_tokyo_day["missing"]) == (1, [order_id])
