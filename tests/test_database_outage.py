"""A database outage: every entry point answers 503 with Retry-After (JSON for machines, a page
for people), logs one line without a traceback, and recovers by itself once the database is
back. The database is cut by a relay that drops and refuses its connections."""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable, Iterator
from urllib.parse import urlencode

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from devstore import webhooks as shopify
from devstore.id_tokens import sign_id_token
from models import Shop, ShopState, WebhookDelivery, utcnow
from models import db as db_proxy
from shopify_app import create_app
from tests.conftest import TEST_API_KEY, TEST_API_SECRET, app_config, release
from tests.db_relay import DatabaseRelay
from tests.ingest.proxy_client import SHOP, batch, event, post_track, signed_path
from webhooks.acks import AckCommitter, Arrival

Call = Callable[[FlaskClient], TestResponse]


def admin_page(client: FlaskClient) -> TestResponse:
    token = sign_id_token(SHOP, TEST_API_KEY, TEST_API_SECRET)
    query = urlencode({"embedded": "1", "shop": SHOP, "id_token": token})
    return client.get(f"/settings?{query}")


def api_settings(client: FlaskClient) -> TestResponse:
    token = sign_id_token(SHOP, TEST_API_KEY, TEST_API_SECRET)
    return client.get("/api/settings", headers={"Authorization": f"Bearer {token}"})


def webhook(client: FlaskClient) -> TestResponse:
    body = shopify.encode(shopify.order(SHOP))
    headers = shopify.headers_for("orders/paid", SHOP, body, TEST_API_SECRET, webhook_id="w1")
    return client.post("/webhooks", data=body, headers=headers)


CALLS: dict[str, tuple[Call, str]] = {
    "proxy track": (lambda c: post_track(c, batch(event())), "json"),
    "proxy config": (lambda c: c.get(signed_path("/proxy/config")), "json"),
    "admin api": (api_settings, "json"),
    "admin page": (admin_page, "html"),
    "webhook": (webhook, "json"),
}


@pytest.fixture
def relay(database_url: str) -> Iterator[DatabaseRelay]:
    if not database_url.startswith("postgresql"):
        pytest.skip("an outage is a server's: PostgreSQL behind a relay we can cut")
    with DatabaseRelay(database_url) as relay:
        yield relay


def test_outage_answers_503_with_retry_after_logs_one_line_and_recovers(relay, caplog):
    app = create_app(app_config(relay.url))
    try:
        with app.app_context():
            Shop.create(
                domain=SHOP,
                state=ShopState.INSTALLED,
                access_token="shpat_outage",
                access_token_expires_at=utcnow() + dt.timedelta(days=1),
                installed_at=utcnow(),
            )
        client = app.test_client()
        for name, (call, _) in CALLS.items():
            assert call(client).status_code == 200, name

        relay.cut()
        caplog.clear()
        with caplog.at_level(logging.INFO):
            answers = {name: call(client) for name, (call, _) in CALLS.items()}
        for name, response in answers.items():
            kind = CALLS[name][1]
            assert response.status_code == 503, name
            assert response.headers["Retry-After"] == "5", name
            if kind == "json":
                assert "unavailable" in json.loads(response.data)["error"], name
            else:
                assert response.mimetype == "text/html"
                assert "briefly unavailable" in response.get_data(as_text=True)
        problems = [r for r in caplog.records if r.levelno >= logging.WARNING]
        assert len(problems) == len(CALLS), [r.getMessage() for r in problems]
        assert all(r.exc_info is None and "\n" not in r.getMessage() for r in problems)

        relay.restore()
        for name, (call, _) in CALLS.items():
            assert call(client).status_code == 200, name
    finally:
        release(db_proxy.obj)


def test_an_acknowledgement_writer_whose_kept_connection_died_reconnects(relay):
    # One writer, so the second acknowledgement meets the connection the first one left open
    # (writers keep theirs between commits), which the cut has since broken.
    app = create_app(app_config(relay.url))
    try:
        committer = AckCommitter(writers=1)

        def acknowledge(webhook_id: str) -> bool:
            body = shopify.encode(shopify.order(SHOP))
            return committer.submit(Arrival(webhook_id, SHOP, "orders/paid", body, utcnow()))

        with app.app_context():
            assert acknowledge("w-before")
            relay.cut()
            relay.restore()
            assert acknowledge("w-after")
            stored = {d.webhook_id for d in WebhookDelivery.select()}
        assert stored == {"w-before", "w-after"}
    finally:
        release(db_proxy.obj)
