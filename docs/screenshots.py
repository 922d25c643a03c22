"""Screenshots of the admin pages and a storefront page, for the README's "See it" section.

    .venv/bin/python docs/screenshots.py            # writes docs/screenshots/*.png

It runs what `sightline demo` runs, in one process and on ports the system picks: the app on a
fresh SQLite file beside devstore (the local Shopify stand-in), with development credentials.
Everything shown is made through the app's own surfaces, as a merchant and shoppers would:
devstore installs the app, the admin API creates custom events and settings, shoppers in
Chromium browse devstore's storefront (their events reach the app through the app proxy), and
devstore sends signed order and data-request webhooks. The stored events are then spread over
the last two weeks, so the reports have a history to draw. Chromium is Debian's
(/usr/bin/chromium), driven by Playwright, as in the tests.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import random
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from devstore import webhooks as shopify  # noqa: E402
from devstore.app import create_devstore  # noqa: E402
from devstore.id_tokens import sign_id_token  # noqa: E402
from devstore.server import BackgroundServer  # noqa: E402
from devstore.state import DevstoreConfig  # noqa: E402
from shopify_app import create_app  # noqa: E402
from shopify_app.config import DEV_API_KEY, DEV_API_SECRET, sqlite_url  # noqa: E402
from shopify_app.demo import demo_config, prepare_database  # noqa: E402

SHOP = "demo-shop.myshopify.com"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"]
VIEWPORT = {"width": 1280, "height": 860}
DESKTOP_UA = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/156.0.0.0 Safari/537.36"
)
IPHONE_UA = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/18.5 Mobile/15E148 Safari/604.1"
)
CUSTOM_EVENTS = [
    {
        "display_name": "Add to wishlist",
        "description": "The heart button on product pages.",
        "event_type": "click",
        "selector": ".wishlist-btn",
        "page_type": "product",
        "meta_event_name": "AddToWishlist",
    },
    {
        "display_name": "Add to cart",
        "event_type": "submit",
        "selector": ".product-form",
        "page_type": "product",
        "meta_event_name": "AddToCart",
    },
    {"display_name": "Size picked", "event_type": "change", "selector": "select[name=size]"},
    {"display_name": "Read half the page", "event_type": "scroll", "scroll_depth": 50},
]
# Campaign links shoppers arrive by: (utm_source, utm_medium, utm_campaign), None = direct.
CAMPAIGNS = [
    ("instagram", "social", "spring-drop"),
    ("newsletter", "email", "april-news"),
    ("google", "cpc", "red-shoes"),
    None,
]
UTM_KEYS = ("utm_source", "utm_medium", "utm_campaign")
PAGES = {
    "events": "/events",
    "event-form": "/events/{wishlist}/edit",
    "settings": "/settings",
    "reports": "/reports?days=30",
    "deliveries": "/deliveries",
    "data-requests": "/data-requests",
}


@dataclass
class Stack:
    app: Any
    app_url: str
    store_url: str


@contextmanager
def demo_stack(database_url: str) -> Iterator[Stack]:
    """The app and devstore on ports held from the start (port 0), wired to each other."""
    with BackgroundServer() as store_server, BackgroundServer() as app_server:
        config = demo_config(app_server.port, store_server.port)
        config["DATABASE_URL"] = database_url
        config["TESTING"] = False
        store = create_devstore(DevstoreConfig(DEV_API_KEY, DEV_API_SECRET, app_server.url))
        app = create_app(config)
        store_server.start(store)
        app_server.start(app)
        yield Stack(app, app_server.url, store_server.url)


def admin_query() -> str:
    token = sign_id_token(SHOP, DEV_API_KEY, DEV_API_SECRET, ttl=3600)
    return urlencode({"shop": SHOP, "embedded": "1", "id_token": token})


def api(stack: Stack, method: str, path: str, body: Any = None) -> dict[str, Any]:
    token = sign_id_token(SHOP, DEV_API_KEY, DEV_API_SECRET, ttl=60)
    response = requests.request(
        method,
        f"{stack.app_url}{path}",
        json=body,
        headers={"Authorization": f"Bearer {token}"},
        timeout=15,
    )
    if response.status_code >= 300:
        raise RuntimeError(f"{method} {path}: {response.status_code} {response.text[:300]}")
    return response.json()


def set_up_the_shop(stack: Stack) -> int:
    """Install through devstore, create the custom events and settings; the wishlist event's id."""
    with requests.get(f"{stack.store_url}/{SHOP}/admin/apps/sightline", timeout=30) as page:
        if page.status_code != 200:
            raise RuntimeError(f"install failed: {page.status_code} {page.text[:300]}")
    ids = []
    for event in CUSTOM_EVENTS:
        reply = api(stack, "POST", "/api/custom-events", {"action": "create", "eventData": event})
        ids.append(reply["event"]["id"])
    api(
        stack,
        "PUT",
        "/api/settings",
        {
            "pixel_id": "1234567890123456",
            "access_token": "EAAGdemoTOKENforSCREENSHOTS42",
            "send_to_meta": True,
            "consent_when_unknown": "send",
        },
    )
    return ids[0]


def deliver_to_meta(stack: Stack) -> None:
    """What `sightline worker` does: send the outbox to devstore's fake Conversions API."""
    from shopify_app.destinations.service import deliverer

    sender = deliverer(stack.app.config)
    try:
        sender.deliver_due()
    finally:
        sender.close()


def stored_events(stack: Stack) -> int:
    from models import Event

    with stack.app.app_context():
        return Event.select().where(Event.app_id == SHOP).count()


def shoppers_browse(stack: Stack, browser: Any, visits: int) -> None:
    """Shoppers on desktop and phone, from campaign links, clicking and scrolling."""
    rng = random.Random(7)
    storefront = f"{stack.store_url}/{SHOP}/"
    for visit in range(visits):
        mobile = visit % 3 == 0
        context = browser.new_context(
            user_agent=IPHONE_UA if mobile else DESKTOP_UA,
            viewport={"width": 390, "height": 800} if mobile else VIEWPORT,
        )
        context.route("https://cdn.shopify.com/**", lambda route: route.abort())
        page = context.new_page()
        campaign = CAMPAIGNS[visit % len(CAMPAIGNS)]
        query = "?" + urlencode(dict(zip(UTM_KEYS, campaign, strict=True))) if campaign else ""
        before = stored_events(stack)
        page.goto(f"{storefront}products/red-shoes{query}")
        page.wait_for_function("window.Sightline !== undefined")
        if rng.random() < 0.7:
            page.click(".wishlist-btn")
        if rng.random() < 0.5:
            page.select_option("select[name=size]", "41")
        if rng.random() < 0.4:
            page.click(".product-form button[type=submit]")
        page.mouse.wheel(0, 4000)
        if rng.random() < 0.5:
            page.goto(f"{storefront}collections/shoes")
            page.wait_for_function("window.Sightline !== undefined")
        # The tracker sends in batches; wait until this visit's events are stored.
        deadline = time.monotonic() + 10
        while stored_events(stack) <= before and time.monotonic() < deadline:
            page.wait_for_timeout(100)
        page.wait_for_timeout(600)
        context.close()


def orders_and_requests(stack: Stack, orders: int) -> None:
    """Paid orders (purchases and revenue) and one customer data request, signed by devstore."""
    rng = random.Random(11)
    order_ids = []
    for _ in range(orders):
        campaign = rng.choice([c for c in CAMPAIGNS if c])
        landing = "/products/red-shoes?" + urlencode(dict(zip(UTM_KEYS, campaign, strict=True)))
        payload = shopify.order(
            SHOP, total_price=f"{rng.choice((49.90, 99.80, 149.70))}", landing_site=landing
        )
        order_ids.append(payload["id"])
        sent = shopify.send(stack.app_url, "orders/paid", SHOP, payload, secret=DEV_API_SECRET)
        if sent.status != 200:
            raise RuntimeError(f"orders/paid answered {sent.status}: {sent.body}")
    request = shopify.customers_data_request(SHOP, shopify.new_id(), order_ids[:2])
    sent = shopify.send(
        stack.app_url, "customers/data_request", SHOP, request, secret=DEV_API_SECRET
    )
    if sent.status != 200:
        raise RuntimeError(f"customers/data_request answered {sent.status}: {sent.body}")


def spread_over_two_weeks(stack: Stack) -> None:
    """Move the stored events back in time (whole visits together) so reports show days."""
    from models import Event

    rng = random.Random(3)
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    with stack.app.app_context():
        rows = list(Event.select(Event.id, Event.session_id).where(Event.app_id == SHOP))
        shifts: dict[str | None, dt.timedelta] = {}
        for row in rows:
            key = row.session_id or f"row-{row.id}"
            if key not in shifts:
                shifts[key] = dt.timedelta(days=rng.randint(0, 13), hours=rng.randint(0, 10))
            Event.update(created_at=now - shifts[key]).where(Event.id == row.id).execute()


def capture(stack: Stack, browser: Any, out: Path, wishlist_id: int) -> list[Path]:
    context = browser.new_context(viewport=VIEWPORT, device_scale_factor=1)
    context.route("https://cdn.shopify.com/**", lambda route: route.abort())
    page = context.new_page()
    page.set_default_timeout(15_000)
    written = []
    for name, path in PAGES.items():
        path = path.format(wishlist=wishlist_id)
        joiner = "&" if "?" in path else "?"
        extra = f"&saved={wishlist_id}" if name == "events" else ""
        page.goto(f"{stack.app_url}{path}{joiner}{admin_query()}{extra}")
        page.wait_for_selector("nav.sl-nav")
        page.wait_for_load_state("networkidle")
        # Data requests are folded by default; the picture should show what one holds.
        page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
        target = out / f"{name}.png"
        page.screenshot(path=str(target), full_page=True)
        written.append(target)
    # devstore's product page is a bare stand-in for a theme: a small window is enough.
    shopper = browser.new_context(viewport={"width": 720, "height": 300}, user_agent=DESKTOP_UA)
    shopper.route("https://cdn.shopify.com/**", lambda route: route.abort())
    store_page = shopper.new_page()
    store_page.goto(f"{stack.store_url}/{SHOP}/products/red-shoes")
    store_page.wait_for_function("window.Sightline !== undefined")
    target = out / "storefront-product.png"
    store_page.screenshot(path=str(target))
    written.append(target)
    outside = context.new_page()
    outside.goto(f"{stack.app_url}/")
    target = out / "outside-admin.png"
    outside.screenshot(path=str(target))
    written.append(target)
    shopper.close()
    context.close()
    return written


def main(argv: list[str] | None = None) -> list[Path]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--visits", type=int, default=16, help="storefront visits to record")
    parser.add_argument("--orders", type=int, default=9, help="paid orders to send")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no access log per request

    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        database_url = sqlite_url(Path(tmp) / "screenshots.db")
        prepare_database(database_url)
        with demo_stack(database_url) as stack, sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
            wishlist_id = set_up_the_shop(stack)
            shoppers_browse(stack, browser, args.visits)
            orders_and_requests(stack, args.orders)
            deliver_to_meta(stack)
            spread_over_two_weeks(stack)
            written = capture(stack, browser, args.out, wishlist_id)
            browser.close()
    for path in written:
        print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    return written


if __name__ == "__main__":
    main()
