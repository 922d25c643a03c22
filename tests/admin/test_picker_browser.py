"""The picker end to end in Chromium: the event form opens the storefront (devstore, Dawn-like
and basic page structures) in a new tab in picker mode; hovering outlines, a click proposes a
selector without following the link, the merchant widens, narrows and uses it; the admin tab
receives it through the app, saves, and test mode shows the storefront click as received."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from models import CustomEvent
from shopify_app.picker import tokens
from tests.admin.conftest import SHOP_A, admin_url
from tests.install.conftest import launch
from tests.storefront.conftest import CHROME_UA

# The picker does not depend on the database backend (the API tests cover both).
pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@pytest.fixture
def merchant(browser, live) -> Iterator[Any]:  # type: ignore[no-untyped-def]
    """Shop A has installed the app; a desktop Chrome (HeadlessChrome counts as a bot, and the
    test-mode click must be stored) with room for the picker panel."""
    assert launch(live, SHOP_A).status_code == 200
    context = browser.new_context(user_agent=CHROME_UA, viewport={"width": 1280, "height": 900})
    context.route("https://cdn.shopify.com/**", lambda route: route.abort())
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def use_theme(live, theme: str) -> None:  # type: ignore[no-untyped-def]
    url = f"{live.devstore_url}/_devstore/shops/{SHOP_A}/theme"
    with requests.post(url, json={"theme": theme}, timeout=5) as response:
        assert response.status_code == 200


def open_picker(merchant, path: str):  # type: ignore[no-untyped-def]
    """The storefront tab the form's "Pick on my storefront" opens, with the picker running."""
    merchant.fill("#f-picker-path", path)
    with merchant.context.expect_page() as opened:
        merchant.click("[data-open-picker]")
    store = opened.value
    store.set_default_timeout(10_000)
    store.wait_for_selector("#sightline-picker .panel")
    return store


def picked(store) -> str:  # type: ignore[no-untyped-def]
    return store.input_value("#sightline-picker #sl-selector")


def test_pick_use_save_and_see_it_received(live, merchant, tmp_path):
    use_theme(live, "dawn")
    merchant.goto(admin_url(live, "/events/new"))
    store = open_picker(merchant, "/products/red-shoes")
    assert "sightline-picker" not in store.url  # the token left the address bar at once
    assert store.url.endswith(f"/{SHOP_A}/products/red-shoes")

    # Hovering outlines the element under the pointer.
    store.hover("[aria-label='Add to wishlist']")
    outline = store.locator("#sightline-picker .box.hover")
    assert outline.is_visible()
    box = outline.bounding_box()
    button = store.locator("[aria-label='Add to wishlist']").bounding_box()
    assert abs(box["x"] - button["x"]) < 1 and abs(box["width"] - button["width"]) < 1

    # A click on a link does not follow it; it proposes a selector for the link.
    store.click(".header__inline-menu >> text=Catalog")
    assert store.url.endswith("/products/red-shoes")
    assert picked(store) == ".header__menu-item"

    # The wishlist app's button has only generated class names: a stable ancestor names it.
    store.click("[aria-label='Add to wishlist'] span")
    assert picked(store) == ".shopify-app-block button"
    assert store.inner_text("#sightline-picker .count") == "1 element on this page matches."
    store.screenshot(path=tmp_path / "picker-dawn.png")
    # Its parent has nothing stable and its kind appears in two app blocks: nth-child steps.
    store.click("#sightline-picker [data-act=parent]")
    assert picked(store) == ".product__info-container > div:nth-child(7) > div:nth-child(1)"
    assert store.inner_text("#sightline-picker .count") == "1 element on this page matches."
    store.click("#sightline-picker [data-act=child]")
    assert picked(store) == ".shopify-app-block button"
    assert store.input_value("#sightline-picker #sl-trigger") == "click"
    assert store.input_value("#sightline-picker #sl-pages") == "product"
    store.click("#sightline-picker [data-act=use]")
    store.wait_for_selector("#sightline-picker .status.ok")

    # The admin tab receives it through the app.
    merchant.wait_for_function(
        "document.querySelector('#f-selector').value === '.shopify-app-block button'"
    )
    assert merchant.input_value("#f-event_type") == "click"
    assert merchant.input_value("#f-page_type") == "product"
    assert "Picked ✓" in merchant.inner_text("[data-picker-status]")
    assert merchant.is_hidden("[data-selector-warning]")
    merchant.fill("#f-display_name", "Add to wishlist")
    merchant.click("button[type=submit]")
    merchant.wait_for_selector("[data-test-mode]:not([hidden])")
    assert "Waiting" in merchant.inner_text("[data-test-status]")
    stored = CustomEvent.get(CustomEvent.app_id == SHOP_A)
    assert (stored.selector, stored.page_type, stored.event_type) == (
        ".shopify-app-block button",
        "product",
        "click",
    )
    assert f"/events/{stored.id}/edit" in merchant.url

    # Closing the picker ends it for the tab; the reloaded page has the saved event.
    store.click("#sightline-picker [data-act=close]")
    assets: list[str] = []
    store.on("request", lambda request: assets.append(request.url))
    store.goto(store.url)
    store.wait_for_function("window.Sightline !== undefined")
    assert not [url for url in assets if "sightline-picker.js" in url]  # no picker mode now
    store.click("[aria-label='Add to wishlist']")

    merchant.wait_for_selector("[data-test-status].sl-received")
    assert merchant.inner_text("[data-test-status]") == "Received ✓"
    assert merchant.inner_text("[data-test-device]") == "desktop · Chrome"
    assert merchant.inner_text("[data-test-page]") == f"/{SHOP_A}/products/red-shoes"
    assert merchant.inner_text("[data-test-time]")
    merchant.screenshot(path=tmp_path / "test-mode.png", full_page=True)


def test_proposals_on_a_different_page_structure(live, merchant):
    use_theme(live, "basic")
    merchant.goto(admin_url(live, "/events/new"))
    store = open_picker(merchant, "/products/red-shoes")
    store.click(".wishlist-btn")
    assert picked(store) == ".wishlist-btn"
    store.click(".product-form button[type=submit]")
    assert picked(store) == ".product-form button"
    # Choosing "Form submit" moves to the form around the button.
    store.select_option("#sightline-picker #sl-trigger", "submit")
    assert picked(store) == ".product-form"
    # The same store in the Dawn structure, by query parameter.
    store.goto(f"{live.devstore_url}/{SHOP_A}/products/red-shoes?theme=dawn")
    store.wait_for_selector("#sightline-picker .panel")  # the picker goes on in this tab
    store.click("[aria-label='4 out of 5 stars'] span:nth-child(3)")  # a review app's star
    assert picked(store) == (
        ".product__info-container > div:nth-child(2) > div:nth-child(1) > span:nth-child(3)"
    )
    store.click(".product-form__submit")
    assert picked(store) == ".product-form__submit"
    store.goto(f"{live.devstore_url}/{SHOP_A}/collections/all?theme=dawn")
    store.wait_for_selector("#sightline-picker .panel")
    store.click("#product-grid li:nth-child(2) .quick-add__submit")
    assert picked(store) == ".quick-add__submit"
    assert store.inner_text("#sightline-picker .count") == "4 elements on this page match."
    store.click("#cart-icon-bubble")
    assert picked(store) == "#cart-icon-bubble"


def test_warnings_for_nothing_or_too_much(live, merchant, tmp_path):
    use_theme(live, "basic")
    merchant.goto(admin_url(live, "/events/new"))
    store = open_picker(merchant, "/")
    store.click("h1")
    store.fill("#sightline-picker #sl-selector", ".no-such-thing")
    assert "Matches nothing" in store.inner_text("#sightline-picker .count")
    store.click("#sightline-picker [data-act=use]")
    assert store.inner_text("#sightline-picker [data-act=use]") == "Use anyway"
    store.screenshot(path=tmp_path / "warning.png")
    store.fill("#sightline-picker #sl-selector", "a{")
    assert "not a valid CSS selector" in store.inner_text("#sightline-picker .count")
    assert store.is_disabled("#sightline-picker [data-act=use]")
    store.fill("#sightline-picker #sl-selector", ".no-such-thing")
    store.click("#sightline-picker [data-act=use]")
    store.click("#sightline-picker [data-act=use]")  # "Use anyway"
    store.wait_for_selector("#sightline-picker .status.ok")

    merchant.wait_for_selector("[data-selector-warning]:not([hidden])")
    assert "matched nothing" in merchant.inner_text("[data-selector-warning]")

    # Hundreds of matches: the Dawn page has far more than 100 elements.
    store.goto(f"{live.devstore_url}/{SHOP_A}/collections/all?theme=dawn")
    store.wait_for_selector("#sightline-picker .panel")
    store.click("h1")
    store.fill("#sightline-picker #sl-selector", "*")
    assert "probably far more than you meant" in store.inner_text("#sightline-picker .count")
    store.click("#sightline-picker [data-act=use]")
    store.click("#sightline-picker [data-act=use]")
    merchant.wait_for_function("document.querySelector('#f-selector').value === '*'")
    warning = merchant.inner_text("[data-selector-warning]")
    assert "elements on" in warning and "far more than you meant" in warning

    merchant.fill("#f-display_name", "Everything")
    merchant.click("button[type=submit]")
    assert "Save again" in merchant.inner_text("[data-form-banner]")
    assert CustomEvent.select().count() == 0
    # Editing the selector by hand ends the warning (the count was for the picked one).
    merchant.fill("#f-selector", ".product-card")
    assert merchant.is_hidden("[data-selector-warning]")
    merchant.fill("#f-selector", "*")
    merchant.click("button[type=submit]")  # the warning was seen: this one saves
    merchant.wait_for_selector("[data-test-mode]:not([hidden])")
    assert CustomEvent.get(CustomEvent.app_id == SHOP_A).selector == "*"


def test_an_expired_token_does_not_start_the_picker(live, merchant, app_secret_key, tmp_path):
    expired, _ = tokens.mint(app_secret_key, SHOP_A, "0" * 32, ttl=60, now=1_000_000_000)
    store_url = f"{live.devstore_url}/{SHOP_A}/products/red-shoes"
    merchant.goto(f"{store_url}#sightline-picker={expired}")
    notice = merchant.locator("#sightline-picker p")
    notice.wait_for()
    assert "expired" in notice.inner_text()
    merchant.screenshot(path=tmp_path / "expired.png")
    assert merchant.locator("#sightline-picker .box").count() == 0
    merchant.click(".wishlist-btn")  # the page works as usual: nothing intercepts it
    assert merchant.evaluate("sessionStorage.getItem('_sl_picker')") is None


@pytest.fixture
def app_secret_key(live) -> str:  # type: ignore[no-untyped-def]
    return str(live.app.config["SECRET_KEY"])
