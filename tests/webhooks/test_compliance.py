"""The privacy-law topics, each checked by querying the database afterwards."""

from __future__ import annotations

import datetime as dt
import json

import requests

from devstore import webhooks as shopify
from devstore.id_tokens import sign_id_token
from models import (
    AppSettings,
    CustomerDataRequest,
    CustomEvent,
    Delivery,
    Event,
    PickerSession,
    Shop,
    WebhookDelivery,
    WebhookStatus,
    db,
    utcnow,
)
from models.schema import HISTORY_TABLE
from shopify_app.analytics import rollups
from shopify_app.ingest.writer import NewEvent, write_events
from tests.conftest import TEST_API_KEY, TEST_API_SECRET
from tests.install.conftest import launch
from tests.webhooks.conftest import OTHER_SHOP, SHOP, inbox, wait_processed

CUSTOMER, OTHER_CUSTOMER = 7001, 7002


def rows_per_table(shop: str) -> dict[str, int]:
    """Rows of `shop` in every table that has an app_id (shops: domain), found from the schema."""
    counts = {}
    database = db.obj
    for table in database.get_tables():
        if table == HISTORY_TABLE:
            continue
        columns = {c.name for c in database.get_columns(table)}
        key = "domain" if table == "shops" else "app_id" if "app_id" in columns else None
        if key:
            cursor = database.execute_sql(
                f'SELECT COUNT(*) FROM "{table}" WHERE "{key}" = {database.param}', (shop,)
            )
            counts[table] = cursor.fetchone()[0]
    return counts


def populate(shop: str) -> None:
    Shop.create(domain=shop, access_token="shpat_x")
    AppSettings.create(app_id=shop, pixel_id="1234567890", send_to_meta=True)
    CustomEvent.create(
        app_id=shop, name="wishlist", display_name="Wishlist", event_type="click", selector=".w"
    )
    purchase = NewEvent(
        "order:1", "purchase", {"order_id": "1", "session_id": "s1"}, "Purchase", True
    )
    write_events(shop, [purchase])
    WebhookDelivery.create(
        webhook_id=f"wh-{shop}", app_id=shop, topic="orders/paid", body="{}", status="failed"
    )
    CustomerDataRequest.create(app_id=shop, request_id="1", customer_id="9", document={"x": 1})
    PickerSession.create(app_id=shop, session_id=f"p-{shop}", expires_at=utcnow())


def test_shop_redact_deletes_every_row_of_the_shop_in_every_table(hooks):
    populate(SHOP)
    populate(OTHER_SHOP)
    hooks.send("orders/paid", hooks.order())
    rollups.run_round(utcnow() + dt.timedelta(days=1))  # rollups hold the shop's rows too
    assert hooks.send("app/uninstalled", shopify.shop_resource(SHOP)).status == 200
    before = rows_per_table(SHOP)
    other_before = rows_per_table(OTHER_SHOP)
    for table in (
        "shops",
        "app_settings",
        "custom_events",
        "events",
        "deliveries",
        "webhook_deliveries",
        "customer_data_requests",
        "picker_sessions",
        "rollups_daily",
        "rollups_by_dimension",
        "sessions",
        "session_events",
    ):
        assert before[table] >= 1, table

    answer = hooks.send("shop/redact", shopify.shop_redact(SHOP))

    assert answer.status == 200
    assert set(rows_per_table(SHOP).values()) == {0}
    assert rows_per_table(OTHER_SHOP) == other_before


def test_shop_redact_for_an_unknown_shop_is_acknowledged(hooks):
    assert hooks.send("shop/redact", shopify.shop_redact(SHOP)).status == 200
    assert set(rows_per_table(SHOP).values()) == {0}


def storefront_event(shop: str, event_id: str, **columns: object) -> None:
    write_events(shop, [NewEvent(event_id, "page_view", {"source": "storefront", **columns})])


def customer_story(hooks) -> None:  # type: ignore[no-untyped-def]
    """Two orders of CUSTOMER (one after a tracked session), one of OTHER_CUSTOMER."""
    session = {"_sightline_session": "s-ada"}
    hooks.send(
        "orders/paid", hooks.order(order_id=1, customer_id=CUSTOMER, note_attributes=session)
    )
    hooks.send("orders/paid", hooks.order(order_id=2, customer_id=CUSTOMER))
    hooks.send("orders/paid", hooks.order(order_id=3, customer_id=OTHER_CUSTOMER))
    storefront_event(SHOP, "pv-ada-session", session_id="s-ada", ip_address="81.2.69.160")
    storefront_event(SHOP, "pv-ada-logged-in", customer_id=str(CUSTOMER))
    storefront_event(SHOP, "pv-someone-else", session_id="s-bob")
    # The same order id in another shop belongs to another customer.
    hooks.send("orders/paid", hooks.order(shop=OTHER_SHOP, order_id=1), shop=OTHER_SHOP)


def event_ids(shop: str = SHOP) -> set[str]:
    return {e.event_id for e in Event.select().where(Event.app_id == shop)}


BACKING_OFF = utcnow() + dt.timedelta(hours=1)


def test_customers_redact_removes_the_customers_events_and_contact_hashes(hooks):
    AppSettings.create(
        app_id=SHOP, pixel_id="1234567890", send_to_meta=True, consent_when_unknown="send"
    )
    customer_story(hooks)
    waiting = hooks.order(order_id=4, customer_id=CUSTOMER)
    WebhookDelivery.create(
        webhook_id="wh-waiting",
        app_id=SHOP,
        topic="orders/paid",
        body=json.dumps(waiting),
        status=WebhookStatus.FAILED,
        claimed_until=BACKING_OFF,  # failed, waiting for its next attempt
    )
    WebhookDelivery.create(
        webhook_id="wh-waiting-request",
        app_id=SHOP,
        topic="customers/data_request",
        body=json.dumps(shopify.customers_data_request(SHOP, CUSTOMER, orders=[1])),
        status=WebhookStatus.FAILED,
        claimed_until=BACKING_OFF,  # failed, waiting for its next attempt
    )
    CustomerDataRequest.create(app_id=SHOP, request_id="55", customer_id=str(CUSTOMER))
    assert Delivery.select().where(Delivery.app_id == SHOP).count() == 3

    answer = hooks.send("customers/redact", shopify.customers_redact(SHOP, CUSTOMER, orders=[1, 2]))

    assert answer.status == 200
    assert event_ids() == {"order:3", "pv-someone-else"}
    assert event_ids(OTHER_SHOP) == {"order:1"}
    assert [d.event.event_id for d in Delivery.select()] == ["order:3"]
    waiting_ids = ["wh-waiting", "wh-waiting-request"]
    assert not WebhookDelivery.select().where(WebhookDelivery.webhook_id.in_(waiting_ids)).exists()
    assert CustomerDataRequest.select().count() == 0
    # The redact delivery itself carried email and phone: nothing of it is kept.
    assert all(d.body == "" for d in inbox() if d.topic == "customers/redact")
    remaining = json.dumps([e.custom_data for e in Event.select()])
    assert shopify.order(SHOP)["customer"]["email"] not in remaining


def test_customers_redact_with_no_data_is_acknowledged(hooks):
    answer = hooks.send("customers/redact", shopify.customers_redact(SHOP, 123, orders=[]))
    assert answer.status == 200
    assert [d.status for d in inbox()] == [WebhookStatus.PROCESSED]


def test_data_request_assembles_the_customers_data_for_the_merchant(hooks):
    customer_story(hooks)
    payload = shopify.customers_data_request(SHOP, CUSTOMER, orders=[1, 2], request_id=9911)

    assert hooks.send("customers/data_request", payload).status == 200

    (request,) = CustomerDataRequest.select()
    assert (request.app_id, request.request_id, request.customer_id) == (SHOP, "9911", "7001")
    assert request.orders_requested == ["1", "2"]
    document = request.document
    assert {e["event_id"] for e in document["events"]} == {
        "order:1",
        "order:2",
        "pv-ada-session",
        "pv-ada-logged-in",
    }
    assert next(e for e in document["events"] if e["event_id"] == "order:1")["value"] == "59.80"
    assert "ada@example.com" not in json.dumps(document)
    assert Event.select().count() == 7  # a data request deletes nothing


def api(hooks, path: str, shop: str = SHOP) -> requests.Response:  # type: ignore[no-untyped-def]
    token = sign_id_token(shop, TEST_API_KEY, TEST_API_SECRET)
    return requests.get(
        f"{hooks.app_url}{path}", headers={"Authorization": f"Bearer {token}"}, timeout=10
    )


def test_merchant_lists_and_downloads_data_requests_of_their_shop_only(hooks):
    customer_story(hooks)
    hooks.send(
        "customers/data_request",
        shopify.customers_data_request(SHOP, CUSTOMER, orders=[1], request_id=31),
    )
    listed = api(hooks, "/api/data-requests").json()["data_requests"]
    assert [(r["request_id"], r["customer_id"]) for r in listed] == [("31", str(CUSTOMER))]

    download = api(hooks, f"/api/data-requests/{listed[0]['id']}")
    assert download.status_code == 200
    assert "attachment" in download.headers["Content-Disposition"]
    # Order 2 was not requested, but it carries the customer's id: it is their data too.
    assert {e["order_id"] for e in download.json()["events"] if e["order_id"]} == {"1", "2"}

    assert api(hooks, "/api/data-requests", shop=OTHER_SHOP).json() == {
        "success": True,
        "data_requests": [],
    }
    assert "success" not in download.json()  # the downloaded document is the customer's data
    assert api(hooks, f"/api/data-requests/{listed[0]['id']}", shop=OTHER_SHOP).status_code == 404
    anonymous = requests.get(f"{hooks.app_url}/api/data-requests", timeout=10)
    assert anonymous.status_code == 401


def test_compliance_topics_refuse_a_bad_signature_and_store_nothing(hooks):
    populate(SHOP)
    for topic, payload in [
        ("shop/redact", shopify.shop_redact(SHOP)),
        ("customers/redact", shopify.customers_redact(SHOP, CUSTOMER, orders=[1])),
        ("customers/data_request", shopify.customers_data_request(SHOP, CUSTOMER, orders=[1])),
    ]:
        assert hooks.send(topic, payload, secret="wrong").status == 401
    assert WebhookDelivery.select().count() == 1  # the one populate() made
    assert Event.select().where(Event.app_id == SHOP).count() == 1
    assert CustomerDataRequest.select().count() == 1


def test_admin_page_shows_the_assembled_data_of_a_request(live):
    order = shopify.order(SHOP, 77, customer_id=CUSTOMER)
    sent = shopify.send(live.app_url, "orders/paid", SHOP, order, secret=TEST_API_SECRET)
    wait_processed(sent.webhook_id, 0)  # processing follows the acknowledgement
    request = shopify.customers_data_request(SHOP, CUSTOMER, orders=[77], request_id=4242)
    sent = shopify.send(
        live.app_url, "customers/data_request", SHOP, request, secret=TEST_API_SECRET
    )
    wait_processed(sent.webhook_id, 0)

    page = launch(live, SHOP, "/data-requests")

    assert page.status_code == 200
    assert 'data-request="4242"' in page.text
    assert "order:77" in page.text and f"customer {CUSTOMER}" in page.text
    empty = launch(live, OTHER_SHOP, "/data-requests")
    assert "data-empty" in empty.text and "order:77" not in empty.text


def test_shop_redact_retried_after_a_reinstall_erases_nothing(hooks):
    import datetime as dt

    from models import utcnow
    from webhooks.inbox import retry_failed_webhooks

    populate(SHOP)
    WebhookDelivery.create(
        webhook_id="wh-redact-late",
        app_id=SHOP,
        topic="shop/redact",
        body=json.dumps(shopify.shop_redact(SHOP)),
        status=WebhookStatus.FAILED,
        received_at=utcnow() - dt.timedelta(hours=1),
    )
    Shop.update(installed_at=utcnow()).where(Shop.domain == SHOP).execute()  # reinstalled since

    retry_failed_webhooks()

    assert Shop.get(Shop.domain == SHOP).access_token == "shpat_x"
    assert CustomEvent.select().where(CustomEvent.app_id == SHOP).count() == 1
