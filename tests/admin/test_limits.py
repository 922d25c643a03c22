"""Caps on custom events: at most 100 per shop, and a storefront config of at most 64 KB; past
either, a clear 422, nothing saved, and the admin says so."""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor

import requests

from devstore.id_tokens import sign_id_token
from models import CustomEvent
from shopify_app.custom_events.limits import MAX_CONFIG_BYTES, MAX_EVENTS_PER_SHOP, config_size
from tests.admin.conftest import SHOP_A, admin_url
from tests.conftest import TEST_API_KEY, TEST_API_SECRET
from tests.install.conftest import launch

# Just under the 4 KB a single event's data may have.
BIG_DATA = {"note": "x" * 4000}


def add_events(shop: str, count: int, **fields: object) -> None:
    rows = [
        {
            "app_id": shop,
            "name": f"event_{i:03d}",
            "display_name": f"Event {i}",
            "event_type": "click",
            "selector": f".e{i}",
            **fields,
        }
        for i in range(count)
    ]
    CustomEvent.insert_many(rows).execute()


def test_the_101st_event_is_a_clear_422_and_nothing_is_saved(shop_a, shop_b):
    add_events(SHOP_A, MAX_EVENTS_PER_SHOP - 1)
    shop_a.create(display_name="The hundredth")

    response = shop_a.post(
        "/api/custom-events", {"action": "create", "eventData": {**_valid(), "name": "one_more"}}
    )

    assert response.status_code == 422
    body = response.get_json()
    assert body["field"] == "events"
    assert f"at most {MAX_EVENTS_PER_SHOP} custom events" in body["error"]
    assert CustomEvent.select().where(CustomEvent.app_id == SHOP_A).count() == MAX_EVENTS_PER_SHOP
    shop_b.create()  # the cap is per shop


RACERS = 12


def test_simultaneous_creates_never_pass_the_cap(live):
    """Twelve admins press "Create" at once with room left for two: two are created, the others
    get the cap's 422, and the shop never holds more than the cap (on both backends)."""
    add_events(SHOP_A, MAX_EVENTS_PER_SHOP - 2)
    start = threading.Barrier(RACERS)

    def create(index: int) -> requests.Response:
        token = sign_id_token(SHOP_A, TEST_API_KEY, TEST_API_SECRET)
        event = {**_valid(), "name": f"racer_{index}", "selector": f".racer-{index}"}
        start.wait()
        return requests.post(
            f"{live.app_url}/api/custom-events",
            json={"action": "create", "eventData": event},
            headers={"Authorization": f"Bearer {token}"},
            timeout=60,
        )

    with ThreadPoolExecutor(RACERS) as pool:
        responses = list(pool.map(create, range(RACERS)))

    statuses = sorted(response.status_code for response in responses)
    assert statuses == [201, 201] + [422] * (RACERS - 2), [r.text for r in responses]
    for refused in (r.json() for r in responses if r.status_code == 422):
        assert refused["success"] is False and refused["field"] == "events"
        assert f"at most {MAX_EVENTS_PER_SHOP} custom events" in refused["error"]
    assert CustomEvent.select().where(CustomEvent.app_id == SHOP_A).count() == MAX_EVENTS_PER_SHOP


def test_a_config_over_64_kb_is_refused_on_create_and_on_update(shop_a):
    fits = (MAX_CONFIG_BYTES - config_size(SHOP_A)) // len(json.dumps(BIG_DATA)) - 1
    add_events(SHOP_A, fits, event_data=BIG_DATA)
    small = shop_a.create(display_name="Small one")
    before = config_size(SHOP_A)
    assert before <= MAX_CONFIG_BYTES

    created = shop_a.post(
        "/api/custom-events",
        {"action": "create", "eventData": {**_valid(), "name": "big_one", "data": BIG_DATA}},
    )
    grown = shop_a.put(f"/api/custom-events/{small['id']}", {"data": BIG_DATA})

    for response in (created, grown):
        assert response.status_code == 422
        assert response.get_json()["field"] == "event_data"
        assert "over its 64 KB limit" in response.get_json()["error"]
    assert not CustomEvent.select().where(CustomEvent.name == "big_one").exists()
    assert CustomEvent.get_by_id(small["id"]).event_data == {}
    assert config_size(SHOP_A) == before


def test_events_page_counts_events_and_says_when_the_cap_is_reached(live):
    assert launch(live, SHOP_A).status_code == 200
    add_events(SHOP_A, 3)
    page = requests.get(admin_url(live, "/events"), timeout=10).text
    assert "3 of 100 custom events" in page and "data-new-event" in page
    assert "data-event-limit" not in page

    CustomEvent.delete().execute()
    add_events(SHOP_A, MAX_EVENTS_PER_SHOP)
    page = requests.get(admin_url(live, "/events"), timeout=10).text
    assert "100 of 100 custom events" in page and "data-event-limit" in page
    assert "limit of 100 custom events" in page and "data-new-event" not in page


def test_the_event_form_shows_the_size_limit_and_keeps_the_input(live, admin):
    fits = (MAX_CONFIG_BYTES - config_size(SHOP_A)) // len(json.dumps(BIG_DATA)) - 1
    add_events(SHOP_A, fits, event_data=BIG_DATA)
    admin.goto(admin_url(live, "/events/new"))
    admin.fill("#f-display_name", "Too big")
    admin.fill("#f-selector", ".too-big")
    admin.fill("#f-event_data", json.dumps(BIG_DATA))
    admin.click("button[type=submit]")
    banner = admin.locator("[data-form-banner]")
    banner.wait_for(state="visible")
    assert "over its 64 KB limit" in banner.inner_text()
    assert admin.input_value("#f-display_name") == "Too big"
    assert not CustomEvent.select().where(CustomEvent.display_name == "Too big").exists()


def _valid() -> dict[str, str]:
    return {"display_name": "One more", "event_type": "click", "selector": ".more"}
