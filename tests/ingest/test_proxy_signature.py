"""App-proxy signatures: only requests Shopify signed, recently, reach the endpoints."""

from __future__ import annotations

import json
import time
from urllib.parse import urlencode

import pytest

from devstore.proxy import signed_proxy_query
from models import CustomEvent, Event, db
from shopify_app import create_app
from shopify_app.proxy.signature import SignatureError, sign, signature_message, verify
from shopify_app.storefront_config import build_storefront_config
from tests.conftest import TEST_API_SECRET, app_config, release
from tests.ingest.proxy_client import CHROME, SHOP, batch, event, signed_path

OLD_SECRET = "the-previous-secret-still-valid-during-rotation"


def test_the_signed_message_matches_shopifys_documented_example():
    params = [
        ("extra", "1"),
        ("extra", "2"),
        ("shop", "s1.myshopify.com"),
        ("path_prefix", "/apps/awesome_reviews"),
        ("timestamp", "1317327555"),
        ("logged_in_customer_id", ""),
        ("signature", "ignored"),
    ]
    assert signature_message(params) == (
        "extra=1,2logged_in_customer_id=path_prefix=/apps/awesome_reviews"
        "shop=s1.myshopify.comtimestamp=1317327555"
    )


def _query(**kwargs) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    return signed_proxy_query(SHOP, TEST_API_SECRET, **kwargs)


def _replace(params: list[tuple[str, str]], key: str, value: str) -> list[tuple[str, str]]:
    return [(k, value if k == key else v) for k, v in params]


def _variants() -> dict[str, list[tuple[str, str]]]:
    now = int(time.time())
    good = _query()
    return {
        "no signature": [(k, v) for k, v in good if k != "signature"],
        "empty signature": _replace(good, "signature", ""),
        "wrong secret": signed_proxy_query(SHOP, "not-the-secret-of-this-app-at-all-000"),
        "other shop, same signature": _replace(good, "shop", "evil.myshopify.com"),
        "customer id added after signing": _replace(good, "logged_in_customer_id", "42"),
        "parameter added after signing": [*good, ("extra", "1")],
        "uppercase hex": _replace(good, "signature", dict(good)["signature"].upper()),
        "91 s old": _query(timestamp=now - 91),
        "91 s ahead": _query(timestamp=now + 91),
        "no timestamp": [
            (k, v)
            for k, v in signed_proxy_query(SHOP, TEST_API_SECRET, timestamp=0)
            if k != "timestamp"
        ],
        "repeated shop": [*_query(), ("shop", SHOP)],
        "repeated signature": [*good, ("signature", dict(good)["signature"])],
        "not a myshopify domain": signed_proxy_query("evil.example.com", TEST_API_SECRET),
        "non-ASCII signature": _replace(good, "signature", "é" * 64),
        "absurd timestamp": _resigned([*_without(good, "timestamp"), ("timestamp", "9" * 400)]),
        "second customer id, signed": _resigned([*good, ("logged_in_customer_id", "42")]),
    }


def _without(params: list[tuple[str, str]], key: str) -> list[tuple[str, str]]:
    return [(k, v) for k, v in params if k != key]


def _resigned(params: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Signed as Shopify would sign these exact parameters (repeated keys joined by ',')."""
    unsigned = _without(params, "signature")
    return [*unsigned, ("signature", sign(unsigned, TEST_API_SECRET))]


@pytest.mark.parametrize("variant", sorted(_variants()))
def test_signature_variants_are_rejected_and_nothing_is_stored(app, client, variant):
    params = _variants()[variant]
    track = client.post(
        f"/proxy/track?{urlencode(params)}",
        data=json.dumps(batch(event())),
        headers={"User-Agent": CHROME},
    )
    config = client.get(f"/proxy/config?{urlencode(params)}")
    assert (track.status_code, config.status_code) == (401, 401)
    assert "error" in track.get_json()
    with app.app_context():
        assert Event.select().count() == 0


def test_timestamps_within_90_seconds_either_way_are_accepted():
    now = time.time()
    for skew in (-89, 0, 89):
        params = signed_proxy_query(SHOP, TEST_API_SECRET, timestamp=int(now + skew))
        assert verify(params, [TEST_API_SECRET], now=now).shop == SHOP


def test_the_previous_secret_is_accepted_during_rotation(database_url):
    app = create_app(app_config(database_url, SHOPIFY_API_SECRET_OLD=OLD_SECRET))
    client = app.test_client()
    query = urlencode(signed_proxy_query(SHOP, OLD_SECRET))
    assert client.get(f"/proxy/config?{query}").status_code == 200
    with pytest.raises(SignatureError):
        verify(signed_proxy_query(SHOP, OLD_SECRET), [TEST_API_SECRET])
    release(db.obj)


def test_config_is_the_storefront_config_of_the_signed_shop(app, client):
    with app.app_context():
        CustomEvent.create(
            app_id=SHOP,
            name="wishlist",
            display_name="Wishlist",
            event_type="click",
            selector=".wishlist-btn",
            page_type="product",
        )
        CustomEvent.create(
            app_id="other.myshopify.com",
            name="other",
            display_name="Other",
            event_type="load",
        )
        expected = build_storefront_config(SHOP)
    response = client.get(signed_path("/proxy/config"))
    assert response.status_code == 200
    assert response.get_json() == expected
    assert [e["name"] for e in expected["events"]] == ["wishlist"]
