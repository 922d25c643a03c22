"""What a merchant notices: a confirmation after saving, page types in their words, a favicon."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import urlencode

import pytest
import requests

from devstore.id_tokens import sign_id_token
from models import CustomEvent
from shopify_app.admin.presenters import PAGE_TYPE_LABELS, page_label, page_type_choices
from shopify_app.custom_events.vocabulary import PAGE_TYPES, SHOPIFY_PAGE_TYPES
from tests.admin.conftest import SHOP_A, SHOP_B
from tests.conftest import TEST_API_KEY, TEST_API_SECRET
from tests.install.conftest import launch


def admin_url(live, path: str, shop: str = SHOP_A, **extra: str) -> str:  # type: ignore[no-untyped-def]
    token = sign_id_token(shop, TEST_API_KEY, TEST_API_SECRET, ttl=600)
    query = {"shop": shop, "embedded": "1", "id_token": token, **extra}
    return f"{live.app_url}{path}?{urlencode(query)}"


@pytest.fixture
def admin(live, page):  # type: ignore[no-untyped-def]
    assert launch(live, SHOP_A).status_code == 200
    page.set_default_timeout(10_000)
    page.goto(admin_url(live, "/events"))
    return page


def test_every_shopify_page_type_has_a_merchant_label():
    assert set(PAGE_TYPE_LABELS) == set(SHOPIFY_PAGE_TYPES)
    values = [value for value, _ in page_type_choices()]
    assert sorted(values) == sorted(PAGE_TYPES)  # stored values are still Shopify's ids
    labels = [label for _, label in page_type_choices()]
    assert len(set(labels)) == len(labels)
    assert not set(labels) & set(PAGE_TYPES)  # no raw id ("404", "search") shown as a label
    assert page_label("product") == "Product pages" and page_label("index") == "Home page"
    assert page_label(None) == "All pages" and page_label("custom") == "Custom URL"


def test_the_page_dropdown_speaks_the_merchants_language(live):
    assert launch(live, SHOP_A).status_code == 200
    with requests.get(admin_url(live, "/events/new"), timeout=10) as response:
        assert response.status_code == 200
        select = re.search(r'<select id="f-page_type".*?</select>', response.text, re.S).group(0)
    options = dict(re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select))
    options = {value: unescape(label) for value, label in options.items()}
    assert options["product"] == "Product pages"
    assert options["collection"] == "Collection pages"
    assert options["cart"] == "Cart"
    assert options["search"] == "Search results"
    assert options["index"] == "Home page"
    assert options["custom"] == "Custom URL"
    assert options["404"] == "Page not found (404)"
    assert options["list-collections"] == "All collections page"
    assert "List-collections" not in select


def test_saving_an_event_says_so_on_the_events_list(live, admin):
    admin.click("[data-new-event]")
    admin.fill("#f-display_name", "Add to wishlist")
    admin.fill("#f-selector", ".wishlist-btn")
    admin.select_option("#f-page_type", label="Product pages")
    admin.click("button[type=submit]")
    admin.wait_for_url("**/events?**")
    banner = admin.locator("[data-saved-banner]")
    assert banner.is_visible() and banner.inner_text() == "“Add to wishlist” saved."
    stored = CustomEvent.get(CustomEvent.app_id == SHOP_A)
    assert stored.page_type == "product"  # the label is shown, Shopify's id is stored
    assert "product pages" in admin.locator("[data-event-list] tbody tr").inner_text()

    admin.click("[data-event-list] a")
    admin.fill("#f-display_name", "Wishlist")
    admin.click("button[type=submit]")
    admin.wait_for_url("**/events?**")
    assert admin.locator("[data-saved-banner]").inner_text() == "“Wishlist” saved."

    admin.goto(admin_url(live, "/events"))  # an ordinary visit: no confirmation
    assert admin.locator("[data-saved-banner]").count() == 0


def test_the_confirmation_never_names_another_shops_event(live):
    for shop in (SHOP_A, SHOP_B):
        assert launch(live, shop).status_code == 200
    with live.app.app_context():
        other = CustomEvent.create(
            app_id=SHOP_B, name="secret_launch", display_name="Secret launch", event_type="load"
        )
    url = admin_url(live, "/events", shop=SHOP_A, saved=str(other.id))
    with requests.get(url, timeout=10) as response:
        assert response.status_code == 200
        assert "Event saved." in response.text and "Secret launch" not in response.text


def test_favicon_is_answered_and_linked(client):
    with client.get("/favicon.ico") as icon:
        assert icon.status_code == 200
        assert icon.get_data()[:4] == b"\x00\x00\x01\x00"  # an ICO file
        assert icon.mimetype in ("image/vnd.microsoft.icon", "image/x-icon")
    with client.get("/static/favicon.svg") as svg:
        assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
    with client.get("/") as home:
        assert b'<link rel="icon" href="/static/favicon.svg"' in home.get_data()


def test_admin_pages_link_the_favicon(live, admin):
    href = admin.locator("link[rel=icon]").get_attribute("href")
    assert href == "/static/favicon.svg"
    with requests.get(f"{live.app_url}{href}", timeout=5) as response:
        assert response.status_code == 200
