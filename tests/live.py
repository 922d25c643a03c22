"""Fixtures that run real HTTP servers: the app under test and devstore, wired to each other."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from flask import Flask

from devstore.app import create_devstore
from devstore.server import BackgroundServer, refused_port
from devstore.state import DevstoreConfig
from models import db as db_proxy
from shopify_app import create_app
from tests.conftest import TEST_API_KEY, TEST_API_SECRET, app_config, release


@dataclass
class LiveStack:
    app: Flask  # the Sightline app, served at app_url
    app_url: str
    devstore: Flask  # the Shopify stand-in, served at devstore_url
    devstore_url: str


@contextmanager
def live_stack(database_url: str, **settings: object) -> Iterator[LiveStack]:
    """Sightline (with `settings` overriding its test config) and devstore, each configured with
    the other's URL. Both servers hold their ports (bound to port 0) before the apps exist."""
    with BackgroundServer() as store_server, BackgroundServer() as app_server:
        app_url, store_url = app_server.url, store_server.url
        store = create_devstore(DevstoreConfig(TEST_API_KEY, TEST_API_SECRET, app_url))
        app = create_app(
            app_config(
                database_url,
                APP_URL=app_url,
                SHOPIFY_ADMIN_URL_TEMPLATE=f"{store_url}/{{shop}}",
                META_GRAPH_URL=f"{store_url}/meta",
                **settings,
            )
        )
        store_server.start(store)
        app_server.start(app)
        yield LiveStack(app, app_url, store, store_url)
    release(db_proxy.obj)


@pytest.fixture
def live(database_url: str) -> Iterator[LiveStack]:
    with live_stack(database_url) as stack:
        yield stack


@pytest.fixture
def refused_url() -> Iterator[str]:
    """A loopback URL nothing answers (connections refused), held for the whole test."""
    with refused_port() as port:
        yield f"http://127.0.0.1:{port}"
