"""Duplicate-source detection: a storefront page whose theme also loads Meta's pixel (for the
shop's own pixel id, and sending Purchase itself) is reported once per session by the tracker,
and the Deliveries page warns which pixel, on which pages, since when, and what to turn off."""

from __future__ import annotations

import time
from urllib.parse import urlencode

import pytest
import requests

from devstore.id_tokens import sign_id_token
from devstore.proxy import CLIENT_ADDRESS_HEADER
from devstore.storefront import set_config_metafield
from models import AppSettings, Event
from shopify_app.ingest.pixel_seen import clean_pixel_data
from shopify_app.storefront_config import build_storefront_config
from tests.conftest import TEST_API_KEY, TEST_API_SECRET
from tests.install.conftest import SHOP, launch
from tests.storefront.conftest import CHROME_UA, SHOPPER_IP

SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
PIXEL = "1234567890"
OTHER = "9988776655"
# Meta's base pixel code as a merchant pastes it into theme.liquid (with a Purchase of its own).
THEME_PIXEL = """<script>
!function(f,b,e,v,n,t,s){if(f.fbq)return;n=f.fbq=function(){n.callMethod?
n.callMethod.apply(n,arguments):n.queue.push(arguments)};if(!f._fbq)f._fbq=n;
n.push=n;n.loaded=!0;n.version='2.0';n.queue=[];t=b.createElement(e);t.async=!0;
t.src=v;s=b.getElementsByTagName(e)[0];s.parentNode.insertBefore(t,s)}(window,
document,'script','https://connect.facebook.net/en_US/fbevents.js');
fbq('init', '%s');
fbq('track', 'PageView');
%s
</script>
<script src="https://connect.facebook.net/signals/config/%s?v=2.9.1" async></script>"""


def pixel_seen() -> list[Event]:
    return list(Event.select().where(Event.event_name == "pixel_seen"))


def setup_shop(live, snippet: str) -> None:  # type: ignore[no-untyped-def]
    assert launch(live, SHOP).status_code == 200
    AppSettings.get_or_create(app_id=SHOP)
    AppSettings.update(pixel_id=PIXEL, send_to_meta=True, track_pageviews=True).where(
        AppSettings.app_id == SHOP
    ).execute()
    with live.app.app_context():
        config = build_storefront_config(SHOP)
    set_config_metafield(live.devstore.extensions["devstore"], SHOP, config)
    url = f"{live.devstore_url}/_devstore/shops/{SHOP}/theme-snippet"
    assert requests.post(url, json={"html": snippet}, timeout=5).status_code == 200


def shopper_page(browser, facebook: list[str]):  # type: ignore[no-untyped-def]
    context = browser.new_context(
        user_agent=CHROME_UA, extra_http_headers={CLIENT_ADDRESS_HEADER: SHOPPER_IP}
    )
    context.route("https://cdn.shopify.com/**", lambda route: route.abort())

    def stub(route):  # type: ignore[no-untyped-def]  # no network to Meta here
        facebook.append(route.request.url)
        route.fulfill(status=200, content_type="application/javascript", body="/* stub */")

    context.route("https://connect.facebook.net/**", stub)
    return context, context.new_page()


def wait_for_rows(page, count: int) -> list[Event]:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + 15
    while len(pixel_seen()) < count and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    return pixel_seen()


@SQLITE_ONLY
def test_a_second_meta_pixel_is_reported_and_the_admin_warns(live, browser, page):
    purchase = "fbq('track', 'Purchase', {value: 59.8, currency: 'EUR'});"
    setup_shop(live, THEME_PIXEL % (PIXEL, purchase, OTHER))
    facebook: list[str] = []
    context, shopper = shopper_page(browser, facebook)
    try:
        shopper.goto(f"{live.devstore_url}/{SHOP}/products/red-shoes")
        shopper.wait_for_function("window.Sightline !== undefined")
        (seen,) = wait_for_rows(shopper, 1)
        shopper.goto(f"{live.devstore_url}/{SHOP}/")  # the same session: not reported again
        shopper.wait_for_function("window.Sightline !== undefined")
        shopper.wait_for_timeout(2500)
        assert len(pixel_seen()) == 1
    finally:
        context.close()

    assert facebook  # the theme's pixel code did try to load Meta's script (stubbed)
    assert sorted(seen.custom_data["ids"]) == sorted([PIXEL, OTHER])
    assert seen.custom_data["purchase"] is True and seen.url.endswith("/products/red-shoes")
    token = sign_id_token(SHOP, TEST_API_KEY, TEST_API_SECRET, ttl=600)
    query = urlencode({"shop": SHOP, "embedded": "1", "host": "YWRtaW4", "id_token": token})
    page.set_default_timeout(10_000)
    page.goto(f"{live.app_url}/deliveries?{query}")

    banner = page.locator("[data-duplicate-banner]").inner_text()
    assert f"fires your pixel {PIXEL}" in banner and "sends Purchase itself" in banner
    ours = page.locator(f"[data-pixel='{PIXEL}']")
    assert "/products/red-shoes" in ours.locator("[data-pages]").inner_text()
    assert ours.locator("[data-since]").inner_text()[:10] == seen.created_at.date().isoformat()
    assert page.locator(f"[data-pixel='{OTHER}']").is_visible()
    advice = page.locator("[data-turn-off]").inner_text()
    assert "theme.liquid" in advice and "Facebook & Instagram" in advice
    api = requests.get(
        f"{live.app_url}/api/duplicate-sources",
        headers={"Authorization": f"Bearer {token}"},
        timeout=5,
    ).json()
    assert api["warning"] is True and api["purchase"]["sessions"] == 1


@SQLITE_ONLY
def test_our_own_browser_pixel_is_not_reported(live, browser):
    setup_shop(live, "")
    AppSettings.update(meta_browser_pixel=True, consent_when_unknown="send").execute()
    with live.app.app_context():
        config = build_storefront_config(SHOP)
    set_config_metafield(live.devstore.extensions["devstore"], SHOP, config)
    facebook: list[str] = []
    context, shopper = shopper_page(browser, facebook)
    try:
        shopper.goto(f"{live.devstore_url}/{SHOP}/")
        shopper.wait_for_function("typeof window.fbq === 'function'")
        shopper.wait_for_timeout(2500)  # past the tracker's check
        shopper.goto(f"{live.devstore_url}/{SHOP}/cart")  # flushes the batch
        deadline = time.monotonic() + 10
        while not Event.select().where(Event.event_name == "page_view").exists():
            assert time.monotonic() < deadline
            shopper.wait_for_timeout(100)
    finally:
        context.close()
    assert facebook and pixel_seen() == []


def test_the_reported_data_is_bounded():
    cleaned = clean_pixel_data(
        {
            "ids": [
                "123456",
                1234567,
                "x" * 9000,
                "123456",
                True,
                *map(str, range(10**6, 10**6 + 50)),
            ],
            "purchase": "yes",
            "extra": "dropped",
        }
    )
    assert cleaned == {
        "ids": ["123456", "1234567", "1000000", "1000001", "1000002"],
        "purchase": False,
    }
    assert clean_pixel_data({}) == {"ids": [], "purchase": False}
