"""The admin side of Meta delivery: credentials checked on save, a test event, the Deliveries
page with its figures, errors and pause banner."""

from __future__ import annotations

import datetime as dt

from models import AppSettings, Delivery, utcnow
from tests.admin.conftest import ShopClient
from tests.destinations.conftest import PIXEL, SHOP, TOKEN, queue_events
from tests.install.conftest import launch


def admin(stack) -> ShopClient:  # type: ignore[no-untyped-def]
    return ShopClient(stack.app.test_client(), SHOP)


def page(stack, path: str) -> str:  # type: ignore[no-untyped-def]
    client = admin(stack)
    token = client._headers()["Authorization"][len("Bearer ") :]
    response = client.client.get(f"{path}?shop={SHOP}&id_token={token}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_a_token_meta_refuses_is_not_saved(stack, meta):
    meta.register(PIXEL, TOKEN)
    answer = admin(stack).put("/api/settings", {"pixel_id": PIXEL, "access_token": "EAAB-wrong"})
    assert answer.status_code == 422
    body = answer.get_json()
    assert body["field"] == "access_token" and "Meta refused this access token" in body["error"]
    assert AppSettings.get_or_none(AppSettings.app_id == SHOP) is None


def test_a_pixel_meta_does_not_know_is_not_saved(stack, meta):
    meta.register(PIXEL, TOKEN)
    answer = admin(stack).put("/api/settings", {"pixel_id": "5550001111", "access_token": TOKEN})
    assert answer.status_code == 422 and answer.get_json()["field"] == "pixel_id"


def test_accepted_credentials_are_saved_and_say_so(stack, meta):
    meta.register(PIXEL, TOKEN)
    answer = admin(stack).put("/api/settings", {"pixel_id": PIXEL, "access_token": TOKEN})
    assert answer.status_code == 200
    assert answer.get_json()["meta_check"]["verdict"] == "accepted"
    assert AppSettings.get().access_token == TOKEN


def test_credentials_are_saved_when_meta_cannot_be_reached(client):
    # The plain test app points META_GRAPH_URL at a port where nothing listens.
    answer = ShopClient(client, SHOP).put(
        "/api/settings", {"pixel_id": PIXEL, "access_token": TOKEN}
    )
    assert answer.status_code == 200
    assert answer.get_json()["meta_check"]["verdict"] == "unreachable"


def test_send_test_event_reports_metas_answer(stack, meta, shop):
    client = admin(stack)
    missing = client.post("/api/meta/test-event", None)
    assert missing.status_code == 422 and "test event code" in missing.get_json()["error"]
    AppSettings.update(test_event_code="TEST4321").execute()

    sent = client.post("/api/meta/test-event", None).get_json()

    assert sent["ok"] is True and sent["meta"]["events_received"] == 1
    assert "Test events" in sent["message"] and sent["meta"]["fbtrace_id"]
    (record,) = meta.log()["events"]
    assert record["test_event_code"] == "TEST4321"
    meta.faults(kind="token_invalid")
    refused = client.post("/api/meta/test-event", None).get_json()
    assert refused["ok"] is False and "refused" in refused["message"]
    assert refused["meta"]["code"] == 190


def test_deliveries_page_shows_days_errors_and_trace_ids(stack, meta, shop, deliverer):
    assert launch(stack, SHOP).status_code == 200
    ids = queue_events(4)
    queue_events(1, created_at=utcnow() - dt.timedelta(days=8))
    meta.faults(reject_event_ids=[ids[0]])
    deliverer.deliver_due()

    report = admin(stack).get("/api/deliveries").get_json()
    assert report["totals"]["sent"] == 3 and report["totals"]["failed"] == 1
    assert report["totals"]["expired"] == 1
    (error,) = report["errors"]
    assert error["event_id"] == ids[0] and error["fbtrace_id"] and error["meta_event"]
    html = page(stack, "/deliveries")
    assert "data-send-test-event" in html and ids[0] in html and error["fbtrace_id"] in html
    today = utcnow().date().isoformat()
    assert f'data-day="{today}"' in html and "data-sent>3<" in html
    assert "data-meta-paused" not in html


def test_a_paused_shop_shows_the_banner_on_every_page(stack, meta, shop, deliverer):
    assert launch(stack, SHOP).status_code == 200
    queue_events(1)
    meta.faults(kind="token_invalid")
    deliverer.deliver_due()
    for path in ("/deliveries", "/settings", "/events"):
        assert "data-meta-paused" in page(stack, path)
    assert Delivery.get().status == "pending"


def test_a_token_expiring_within_seven_days_is_warned_about(stack, shop):
    assert launch(stack, SHOP).status_code == 200
    AppSettings.update(token_expires_at=utcnow() + dt.timedelta(days=3)).execute()
    assert "data-meta-token-expiring" in page(stack, "/deliveries")
    AppSettings.update(token_expires_at=utcnow() - dt.timedelta(hours=1)).execute()
    assert "data-meta-token-expired" in page(stack, "/deliveries")
