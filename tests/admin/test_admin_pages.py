"""The embedded admin pages in a real Chromium, against the app served over HTTP."""

from __future__ import annotations

import requests

from models import AppSettings, CustomEvent
from tests.admin.conftest import SHOP_A, admin_url


def fill_event_form(page, display_name: str, selector: str) -> None:  # type: ignore[no-untyped-def]
    page.fill("#f-display_name", display_name)
    page.select_option("#f-event_type", "click")
    page.fill("#f-selector", selector)
    page.select_option("#f-page_type", "product")
    page.select_option("#f-meta_event_name", "AddToWishlist")
    page.fill("#f-event_data", '{"list": "default"}')


def test_create_edit_toggle_and_delete_an_event(live, admin):
    admin.click("[data-new-event]")
    fill_event_form(admin, "Add to wishlist", ".wishlist-btn")
    admin.click("button[type=submit]")
    admin.wait_for_url("**/events?**")
    row = admin.locator("[data-event-list] tbody tr")
    assert row.count() == 1
    assert "Click on .wishlist-btn · product pages" in row.inner_text()
    stored = CustomEvent.get(CustomEvent.app_id == SHOP_A)
    assert (stored.name, stored.meta_event_name, stored.event_data) == (
        "add_to_wishlist",
        "AddToWishlist",
        {"list": "default"},
    )

    admin.click("[data-event-list] a")
    admin.fill("#f-selector", ".wishlist-button")
    admin.click("button[type=submit]")
    admin.wait_for_url("**/events?**")
    assert "Click on .wishlist-button" in admin.locator("[data-event-list] tbody tr").inner_text()

    admin.uncheck("[data-toggle-active]")
    admin.wait_for_function("document.querySelector('[data-status]').textContent === 'Paused'")
    assert CustomEvent.get_by_id(stored.id).is_active is False

    admin.click("[data-delete]")
    assert admin.locator("[data-delete-dialog]").is_visible()
    admin.click("[data-confirm]")
    admin.wait_for_function("document.querySelectorAll('[data-event-list] tbody tr').length === 0")
    assert CustomEvent.select().count() == 0


def test_invalid_selector_is_refused_in_the_browser_before_saving(live, admin):
    sent = []
    admin.on(
        "request",
        lambda request: sent.append(request.url) if "/api/custom-events" in request.url else None,
    )
    admin.click("[data-new-event]")
    fill_event_form(admin, "Broken", "div[[")
    admin.click("[data-check-selector]")
    assert "not a valid CSS selector" in admin.inner_text("[data-selector-result]")
    admin.click("button[type=submit]")
    error = admin.locator('[data-error-for="selector"]')
    error.wait_for(state="visible")
    assert "not a valid CSS selector" in error.inner_text()
    assert sent == [] and CustomEvent.select().count() == 0
    assert admin.input_value("#f-display_name") == "Broken"  # nothing typed is lost


def test_server_side_errors_appear_next_to_the_field_and_keep_the_input(live, admin):
    admin.click("[data-new-event]")
    fill_event_form(admin, "Custom page", ".cta")
    admin.select_option("#f-page_type", "custom")
    admin.fill("#f-page_url", "no-leading-slash")
    admin.click("button[type=submit]")
    error = admin.locator('[data-error-for="page_url"]')
    error.wait_for(state="visible")
    assert "URL pattern" in error.inner_text()
    assert admin.input_value("#f-page_url") == "no-leading-slash"
    assert CustomEvent.select().count() == 0


def test_settings_save_and_the_token_is_shown_masked(live, admin):
    admin.goto(admin_url(live, "/settings"))
    admin.fill("#f-pixel_id", "123456789012345")
    admin.fill("#f-access_token", "EAABsecretTOKEN9xYz")
    admin.check("input[name=send_to_meta]")
    admin.uncheck("input[name=record_location]")
    admin.click("button[type=submit]")
    admin.wait_for_function(
        "document.querySelector('[data-token-masked]').textContent.endsWith('9xYz')"
    )
    assert admin.input_value("#f-access_token") == ""
    stored = AppSettings.get(AppSettings.app_id == SHOP_A)
    assert (stored.pixel_id, stored.access_token, stored.send_to_meta, stored.record_location) == (
        "123456789012345",
        "EAABsecretTOKEN9xYz",
        True,
        False,
    )
    admin.reload()
    assert "EAABsecret" not in admin.content()
    assert admin.inner_text("[data-token-masked]").endswith("9xYz")


def test_invalid_pixel_id_is_shown_next_to_the_field(live, admin):
    admin.goto(admin_url(live, "/settings"))
    admin.fill("#f-pixel_id", "pixel-123")
    admin.click("button[type=submit]")
    error = admin.locator('[data-error-for="pixel_id"]')
    error.wait_for(state="visible")
    assert "digits" in error.inner_text()
    assert AppSettings.select().count() == 0


def test_admin_page_without_id_token_goes_to_the_bounce_page(live):
    response = requests.get(
        f"{live.app_url}/events?shop={SHOP_A}", allow_redirects=False, timeout=5
    )
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith("/auth/session-token?") and "shopify-reload=%2Fevents" in location
