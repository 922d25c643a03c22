"""A storefront in Chromium: devstore renders our app embed, the tracker sends through
devstore's app proxy to the app under test, and tests read what the app stored."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from flask import Flask

from devstore.app import create_devstore
from devstore.proxy import CLIENT_ADDRESS_HEADER
from devstore.server import BackgroundServer
from devstore.state import DevstoreConfig
from devstore.storefront import carts, set_config_metafield
from models import CustomEvent, Event
from models import db as db_proxy
from shopify_app import create_app
from shopify_app.storefront_config import build_storefront_config
from tests.conftest import TEST_API_KEY, TEST_API_SECRET, app_config, release

SHOP = "acme.myshopify.com"
# A desktop Chrome: HeadlessChrome's own user agent is (rightly) counted as a bot.
CHROME_UA = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/156.0.0.0 Safari/537.36"
)
SHOPPER_IP = "8.8.8.8"  # where devstore (Shopify's edge) sees the shopper connect from


@dataclass
class Storefront:
    app: Flask
    app_url: str
    devstore: Flask
    url: str  # the shop's storefront root, e.g. http://127.0.0.1:1234/acme.myshopify.com/
    app_server: BackgroundServer
    track_requests: list[str] = field(default_factory=list)

    def configure(self, *events: dict[str, Any], **settings: Any) -> None:
        """Create custom events and settings, then publish the metafield as the admin would.

        Click autocapture is off unless a test turns it on: the other tests count the events
        their own triggers make, and clicking a button would add autocaptured ones."""
        from models import AppSettings

        settings.setdefault("track_clicks", False)
        with self.app.app_context():
            AppSettings.create(app_id=SHOP, **settings)
            for event in events:
                CustomEvent.create(app_id=SHOP, display_name=event["name"], **event)
            config = build_storefront_config(SHOP)
        set_config_metafield(self.devstore.extensions["devstore"], SHOP, config)

    def events(self) -> list[Event]:
        with self.app.app_context():
            return list(Event.select().where(Event.app_id == SHOP).order_by(Event.id))

    def names(self) -> list[str]:
        return sorted(event.event_name for event in self.events())

    def wait_for(
        self, page: Any, count: int, timeout: float = 10.0, settle: float = 1.5
    ) -> list[Event]:
        """The stored events once there are `count`, after `settle` s to catch any extra.

        Waits through the page, so Playwright keeps serving the page's routes meanwhile."""
        deadline = time.monotonic() + timeout
        while len(self.events()) < count and time.monotonic() < deadline:
            page.wait_for_timeout(100)
        page.wait_for_timeout(settle * 1000)
        return self.events()

    def carts(self) -> list[dict[str, Any]]:
        return list(carts(self.devstore.extensions["devstore"]).values())

    def stop_app(self) -> None:
        """The app goes down (connections reset) but keeps its port, so it can come back."""
        self.app_server.go_down()

    def start_app(self) -> None:
        self.app_server.start()


@pytest.fixture
def storefront(database_url: str) -> Iterator[Storefront]:
    with BackgroundServer() as store_server, BackgroundServer() as app_server:
        app_url, store_url = app_server.url, store_server.url
        devstore = create_devstore(DevstoreConfig(TEST_API_KEY, TEST_API_SECRET, app_url))
        app = create_app(app_config(database_url, APP_URL=app_url))
        store_server.start(devstore)
        yield Storefront(app, app_url, devstore, f"{store_url}/{SHOP}/", app_server.start(app))
    release(db_proxy.obj)


@pytest.fixture
def shopper(browser, storefront: Storefront) -> Iterator[Any]:  # type: ignore[no-untyped-def]
    """A page in a fresh browser context (own cookies and localStorage) of a desktop Chrome."""
    context = browser.new_context(
        user_agent=CHROME_UA,
        # A shopper's own X-Forwarded-For is theirs to write: it must change nothing.
        extra_http_headers={
            CLIENT_ADDRESS_HEADER: SHOPPER_IP,
            "X-Forwarded-For": "203.0.113.250",
        },
    )
    context.route("https://cdn.shopify.com/**", lambda route: route.abort())
    page = context.new_page()
    page.on(
        "request",
        lambda request: (
            storefront.track_requests.append(request.url)
            if "/apps/sightline/track" in request.url
            else None
        ),
    )
    yield page
    context.close()
