"""The seed's API snippets, sent as the seed writes them, answered in the seed's shapes."""

from __future__ import annotations

import pytest

from models import CustomEvent
from tests.admin.conftest import SHOP_A, SHOP_B

SEED_FIELDS = {"id", "name", "display_name", "selector", "event_type", "page_type", "page_url"}
WISHLIST = {
    "name": "Wishlist Add",
    "display_name": "Add to Wishlist",
    "description": "Shopper saves a product",
    "page_type": "product",
    "page_url": None,
    "event_type": "click",
    "selector": ".wishlist-btn",
    "meta_event_name": "AddToWishlist",
    "event_data": {"list": "default"},
}


def test_seed_get_with_app_id_lists_active_events_newest_first(shop_a):
    older = shop_a.create(display_name="Older")
    newer = shop_a.create(display_name="Newer")
    shop_a.create(display_name="Paused", is_active=False)
    response = shop_a.get(f"/api/custom-events?appId={SHOP_A}")
    assert response.status_code == 200
    body = response.get_json()
    assert body["success"] is True
    assert [e["id"] for e in body["events"]] == [newer["id"], older["id"]]
    assert all(SEED_FIELDS | {"data"} <= set(e) for e in body["events"])


def test_seed_get_with_another_shops_app_id_is_403_and_reads_nothing(shop_a, shop_b):
    shop_b.create(display_name="Secret")
    response = shop_a.get(f"/api/custom-events?appId={SHOP_B}")
    assert response.status_code == 403
    body = response.get_json()
    assert body["success"] is False and body["error"]
    assert "events" not in body


def test_seed_post_create_normalises_the_name_and_answers_the_event(shop_a):
    response = shop_a.post(
        "/api/custom-events", {"action": "create", "appId": SHOP_A, "eventData": WISHLIST}
    )
    assert response.status_code in (200, 201)
    body = response.get_json()
    assert body["success"] is True
    event = body["event"]
    assert set(event) >= SEED_FIELDS
    assert (event["name"], event["display_name"], event["data"]) == (
        "wishlist_add",
        "Add to Wishlist",
        {"list": "default"},
    )
    stored = CustomEvent.get()
    assert (stored.app_id, stored.is_active, stored.meta_event_name) == (
        SHOP_A,
        True,
        "AddToWishlist",
    )


def test_seed_post_create_with_a_taken_name_is_400(shop_a):
    shop_a.post("/api/custom-events", {"action": "create", "appId": SHOP_A, "eventData": WISHLIST})
    response = shop_a.post(
        "/api/custom-events", {"action": "create", "appId": SHOP_A, "eventData": WISHLIST}
    )
    assert response.status_code == 400
    assert response.get_json() == {
        "success": False,
        "error": "Event name already exists",
        "field": "name",
        "errors": {"name": "Event name already exists"},
    }


def test_seed_post_update_and_delete(shop_a):
    created = shop_a.create()
    update = {"id": created["id"], "selector": ".wish-v2"}
    body = shop_a.post(
        "/api/custom-events", {"action": "update", "appId": SHOP_A, "eventData": update}
    ).get_json()
    assert body["success"] is True and body["event"]["selector"] == ".wish-v2"
    response = shop_a.post(
        "/api/custom-events",
        {"action": "delete", "appId": SHOP_A, "eventData": {"id": created["id"]}},
    )
    assert response.status_code == 200 and response.get_json()["success"] is True
    assert CustomEvent.select().count() == 0


@pytest.mark.parametrize("action", ["create", "update", "delete"])
def test_seed_post_for_another_shops_app_id_is_403_and_writes_nothing(shop_a, action):
    created = shop_a.create()
    event_data = {**WISHLIST, "id": created["id"], "selector": ".stolen"}
    response = shop_a.post(
        "/api/custom-events", {"action": action, "appId": SHOP_B, "eventData": event_data}
    )
    assert response.status_code == 403 and response.get_json()["success"] is False
    assert [(e.id, e.selector) for e in CustomEvent.select()] == [(created["id"], ".wishlist")]


def test_every_api_reply_carries_success(shop_a):
    created = shop_a.create()
    replies = [
        shop_a.get("/api/settings"),
        shop_a.put("/api/settings", {"record_location": False}),
        shop_a.get(f"/api/custom-events/{created['id']}"),
        shop_a.put(f"/api/custom-events/{created['id']}", {"selector": ".x"}),
        shop_a.get("/api/custom-events/424242"),
        shop_a.get("/api/no-such-route"),
        shop_a.delete(f"/api/custom-events/{created['id']}"),
    ]
    assert [r.get_json()["success"] for r in replies] == [True] * 4 + [False] * 2 + [True]
    assert all(r.get_json().get("error") for r in replies[4:6])
