"""The custom-events API: the seed contract, REST, validation and shop isolation."""

from __future__ import annotations

import pytest

from models import CustomEvent

VALID = {"display_name": "Add to wishlist", "event_type": "click", "selector": ".wishlist-btn"}

INVALID = [
    ("display_name", {"display_name": ""}),
    ("display_name", {"display_name": "x" * 256}),
    ("name", {"display_name": "!!!"}),
    ("name", {"name": "page_view"}),
    ("page_type", {"page_type": "checkout"}),
    ("page_url", {"page_type": "custom"}),
    ("page_url", {"page_type": "custom", "page_url": "pages/about"}),
    ("page_url", {"page_type": "custom", "page_url": "/pages/<script>"}),
    ("event_type", {"event_type": "hover"}),
    ("selector", {"selector": ""}),
    ("selector", {"selector": "x" * 501}),
    ("selector", {"selector": "div[class='a'"}),
    ("selector", {"selector": "a { color: red }"}),
    ("selector", {"selector": ".btn >"}),
    ("scroll_depth", {"event_type": "scroll", "scroll_depth": 0}),
    ("scroll_depth", {"event_type": "scroll", "scroll_depth": 101}),
    ("scroll_depth", {"event_type": "scroll", "scroll_depth": "half"}),
    ("meta_event_name", {"meta_event_name": "BuyNow"}),
    ("event_data", {"data": ["not", "an", "object"]}),
    ("event_data", {"data": "{not json"}),
    ("event_data", {"data": {"blob": "x" * 5000}}),
]


@pytest.mark.parametrize(
    ("field", "change"), INVALID, ids=[f"{f}-{i}" for i, (f, _) in enumerate(INVALID)]
)
def test_invalid_field_is_422_naming_it_and_stores_nothing(shop_a, field, change):
    response = shop_a.post(
        "/api/custom-events", {"action": "create", "eventData": {**VALID, **change}}
    )
    assert response.status_code == 422
    body = response.get_json()
    assert body["field"] == field and body["error"] and body["success"] is False
    assert body["errors"][field]
    assert CustomEvent.select().count() == 0


def test_name_is_normalised_from_the_display_name(shop_a):
    event = shop_a.create(display_name="  Add To  Wishlist! ")
    assert event["name"] == "add_to_wishlist"


def test_duplicate_name_in_one_shop_is_the_seeds_400(shop_a):
    shop_a.create()
    response = shop_a.post("/api/custom-events", {"action": "create", "eventData": VALID})
    assert response.status_code == 400
    body = response.get_json()
    assert (body["success"], body["error"]) == (False, "Event name already exists")
    assert CustomEvent.select().count() == 1


def test_seed_contract_create_update_delete(shop_a):
    created = shop_a.create(meta_event_name="AddToWishlist", data={"source": "pdp"})
    assert created["data"] == {"source": "pdp"} and created["meta_event_name"] == "AddToWishlist"
    listed = shop_a.get("/api/custom-events").get_json()["events"]
    assert [e["id"] for e in listed] == [created["id"]]
    assert set(listed[0]) >= {
        "id",
        "name",
        "display_name",
        "selector",
        "event_type",
        "page_type",
        "page_url",
        "data",
    }

    update = {"id": created["id"], "selector": ".wish", "page_type": "product"}
    response = shop_a.post("/api/custom-events", {"action": "update", "eventData": update})
    assert response.status_code == 200
    stored = CustomEvent.get_by_id(created["id"])
    assert (stored.selector, stored.page_type, stored.display_name) == (
        ".wish",
        "product",
        "Add to wishlist",
    )

    response = shop_a.post(
        "/api/custom-events", {"action": "delete", "eventData": {"id": created["id"]}}
    )
    assert response.status_code == 200
    assert CustomEvent.select().count() == 0


def test_list_is_newest_first_and_hides_inactive_events(shop_a):
    first = shop_a.create(display_name="First")
    second = shop_a.create(display_name="Second")
    hidden = shop_a.create(display_name="Hidden", is_active=False)
    ids = [e["id"] for e in shop_a.get("/api/custom-events").get_json()["events"]]
    assert ids == [second["id"], first["id"]]
    assert hidden["id"] not in ids
    everything = shop_a.get("/api/custom-events?include_inactive=1").get_json()["events"]
    assert [e["id"] for e in everything] == [hidden["id"], second["id"], first["id"]]


def test_rest_update_toggles_and_keeps_other_fields(shop_a):
    event = shop_a.create(event_type="scroll", selector=None, scroll_depth=75)
    response = shop_a.put(f"/api/custom-events/{event['id']}", {"is_active": False})
    assert response.status_code == 200
    assert response.get_json()["event"]["is_active"] is False
    one = shop_a.get(f"/api/custom-events/{event['id']}").get_json()
    assert one["success"] is True and one["event"]["scroll_depth"] == 75


def test_failed_update_leaves_the_stored_event_unchanged(shop_a):
    event = shop_a.create()
    response = shop_a.put(
        f"/api/custom-events/{event['id']}", {"selector": "", "display_name": "New"}
    )
    assert response.status_code == 422
    stored = CustomEvent.get_by_id(event["id"])
    assert (stored.selector, stored.display_name) == (".wishlist", "Add to wishlist")


def test_another_shops_events_are_invisible_and_untouchable(shop_a, shop_b):
    event = shop_a.create()
    path = f"/api/custom-events/{event['id']}"
    assert shop_b.get(path).status_code == 404
    assert shop_b.put(path, {"selector": ".stolen"}).status_code == 404
    assert shop_b.delete(path).status_code == 404
    seed_update = {"action": "update", "eventData": {"id": event["id"], "selector": ".stolen"}}
    assert shop_b.post("/api/custom-events", seed_update).status_code == 404
    seed_delete = {"action": "delete", "eventData": {"id": event["id"]}}
    assert shop_b.post("/api/custom-events", seed_delete).status_code == 404
    assert shop_b.get("/api/custom-events").get_json() == {"success": True, "events": []}
    assert CustomEvent.get_by_id(event["id"]).selector == ".wishlist"


def test_same_name_is_fine_in_another_shop(shop_a, shop_b):
    shop_a.create()
    assert shop_b.create()["name"] == "add_to_wishlist"


@pytest.mark.parametrize(
    "body",
    [
        {"action": "rename", "eventData": {}},
        {"action": "create"},
        {"action": "update", "eventData": {}},
    ],
)
def test_malformed_seed_requests_are_400(shop_a, body):
    response = shop_a.post("/api/custom-events", body)
    assert response.status_code == 400
    assert response.get_json()["success"] is False and response.get_json()["error"]


def test_non_json_body_is_400(shop_a, client):
    response = client.post(
        "/api/custom-events",
        data="nope",
        headers=shop_a._headers() | {"Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert "error" in response.get_json()


def test_missing_or_bad_token_is_401_with_retry_header(client):
    for headers in ({}, {"Authorization": "Bearer not.a.jwt"}):
        response = client.get("/api/custom-events", headers=headers)
        assert response.status_code == 401
        assert response.headers["X-Shopify-Retry-Invalid-Session-Request"] == "1"
        assert response.get_json()["success"] is False


@pytest.mark.parametrize(
    ("field", "change"),
    [
        ("display_name", {"display_name": "a\u0000b"}),
        ("description", {"description": "\ud800"}),
        ("event_data", {"data": {"k": "a\u0000"}}),
        ("event_data", {"data": {"k": "</script><script>alert(1)</script>"}}),
        ("event_data", {"data": "[" * 100_000}),
        ("scroll_depth", {"event_type": "scroll", "scroll_depth": 1e999}),
        ("scroll_depth", {"event_type": "scroll", "scroll_depth": True}),
    ],
)
def test_values_the_database_or_storefront_cannot_take_are_422(shop_a, field, change):
    response = shop_a.post(
        "/api/custom-events", {"action": "create", "eventData": {**VALID, **change}}
    )
    assert response.status_code == 422 and response.get_json()["field"] == field
    assert CustomEvent.select().count() == 0


@pytest.mark.parametrize("bad_id", [1.9, True, "1.0", "99999999999999999999999", -1])
def test_ids_that_are_not_whole_row_ids_match_nothing(shop_a, bad_id):
    shop_a.create()
    response = shop_a.post("/api/custom-events", {"action": "delete", "eventData": {"id": bad_id}})
    assert response.status_code == 404
    assert shop_a.get("/api/custom-events/99999999999999999999999").status_code == 404
    assert CustomEvent.select().count() == 1


def test_deeply_nested_json_body_is_400(shop_a, client):
    response = client.post(
        "/api/custom-events",
        data="[" * 100_000,
        headers=shop_a._headers() | {"Content-Type": "application/json"},
    )
    assert response.status_code == 400
