"""The Events page's most-clicked elements: grouped from autocaptured clicks, scoped to the shop,
and turned into a custom event from the page."""

from __future__ import annotations

import datetime as dt

from models import CustomEvent, Event, utcnow
from shopify_app.analytics.clicks import most_clicked
from tests.admin.conftest import SHOP_A, SHOP_B, admin_url


def record_click(app_id: str, selector: str, page_type: str, text: str, days_ago: int = 0) -> None:
    Event.create(
        app_id=app_id,
        event_name="click",
        event_id=f"evt_{Event.select().count():08d}",
        page_type=page_type,
        custom_data={"tag": "button", "text": text, "href": "", "selector": selector},
        created_at=utcnow() - dt.timedelta(days=days_ago, minutes=1),
    )


def test_most_clicked_groups_by_element_and_page_most_clicks_first(db):
    for _ in range(3):
        record_click(SHOP_A, "button.add", "product", "Add to cart")
    record_click(SHOP_A, "a.sale", "index", "Sale")
    record_click(SHOP_A, "button.add", "cart", "Add to cart")
    record_click(SHOP_A, "a.old", "index", "Old", days_ago=8)  # outside the window
    record_click(SHOP_B, "a.other-shop", "index", "Theirs")
    Event.create(app_id=SHOP_A, event_name="page_view", event_id="evt_pv_000001")
    found = [(c.selector, c.page_type, c.clicks, c.text) for c in most_clicked(SHOP_A)]
    assert found[0] == ("button.add", "product", 3, "Add to cart")
    assert sorted(found[1:]) == [
        ("a.sale", "index", 1, "Sale"),
        ("button.add", "cart", 1, "Add to cart"),
    ]


def test_a_suggestion_becomes_a_custom_event(live, admin):
    with live.app.app_context():
        for _ in range(2):
            record_click(SHOP_A, ".hero .shop-now", "index", "Shop <the> sale")
    admin.goto(admin_url(live, "/events"))
    row = admin.locator("[data-most-clicked] tbody tr")
    assert row.count() == 1
    assert "Shop <the> sale" in row.inner_text() and "2" in row.inner_text()
    row.locator("[data-create-from-click]").click()
    admin.wait_for_url("**/events/new?**")
    assert admin.input_value("#f-selector") == ".hero .shop-now"
    assert admin.input_value("#f-page_type") == "index"
    assert admin.input_value("#f-event_type") == "click"
    admin.fill("#f-display_name", "Shop now")
    admin.click("button[type=submit]")
    admin.wait_for_url("**/events?**")
    stored = CustomEvent.get(CustomEvent.app_id == SHOP_A)
    assert (stored.name, stored.selector, stored.page_type, stored.event_type) == (
        "shop_now",
        ".hero .shop-now",
        "index",
        "click",
    )
