"""The Deliveries page and the Meta settings in a real Chromium: the test-event button reports
Meta's answer, and a token Meta refuses is shown next to its field and not saved."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from devstore.id_tokens import sign_id_token
from models import AppSettings
from tests.conftest import TEST_API_KEY, TEST_API_SECRET
from tests.destinations.conftest import PIXEL, SHOP, TOKEN
from tests.install.conftest import launch

SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def admin_url(stack, path: str) -> str:  # type: ignore[no-untyped-def]
    token = sign_id_token(SHOP, TEST_API_KEY, TEST_API_SECRET, ttl=600)
    query = urlencode({"shop": SHOP, "embedded": "1", "host": "YWRtaW4", "id_token": token})
    return f"{stack.app_url}{path}?{query}"


@SQLITE_ONLY
def test_send_test_event_shows_metas_answer(stack, meta, shop, page):
    assert launch(stack, SHOP).status_code == 200
    AppSettings.update(test_event_code="TEST777").execute()
    page.set_default_timeout(10_000)
    page.goto(admin_url(stack, "/deliveries"))

    page.click("[data-send-test-event]")

    result = page.locator("[data-test-event-result]")
    result.wait_for(state="visible")
    assert "Meta received 1 event" in result.inner_text()
    assert meta.log()["events"][0]["test_event_code"] == "TEST777"


@SQLITE_ONLY
def test_a_refused_token_shows_next_to_its_field(stack, meta, page):
    assert launch(stack, SHOP).status_code == 200
    meta.register(PIXEL, TOKEN)
    page.set_default_timeout(10_000)
    page.goto(admin_url(stack, "/settings"))
    page.fill("#f-pixel_id", PIXEL)
    page.fill("#f-access_token", "EAAB-not-the-right-one")

    page.click("button[type=submit]")

    error = page.locator('[data-error-for="access_token"]')
    error.wait_for(state="visible")
    assert "Meta refused this access token" in error.inner_text()
    assert AppSettings.get_or_none(AppSettings.app_id == SHOP) is None
    page.fill("#f-access_token", TOKEN)
    page.click("button[type=submit]")
    page.locator("[data-form-banner]", has_text="Meta accepted").wait_for()
    assert AppSettings.get(AppSettings.app_id == SHOP).access_token == TOKEN
