"""The shopper's address comes from the right of X-Forwarded-For (the entries our proxies
appended), never from what the shopper wrote; odd addresses are stored normalised or as NULL."""

from __future__ import annotations

import json

import pytest
import requests

from models import Event
from models import db as db_proxy
from shopify_app import create_app
from shopify_app.config import ConfigError, load_settings
from shopify_app.ingest.writer import NewEvent, write_batches
from shopify_app.proxy.client_address import shopper_address
from tests.conftest import app_config, release
from tests.ingest.proxy_client import SHOP, batch, event, post_track


def stored(app) -> list[Event]:  # type: ignore[no-untyped-def]
    with app.app_context():
        return list(Event.select().order_by(Event.id))


def test_shopper_written_entries_plant_no_country(app, client):
    # The shopper wrote a British address; Shopify appended the one it saw (Google's, US).
    response = post_track(client, batch(event()), forwarded_for="81.2.69.160, 8.8.8.8")
    assert response.status_code == 200
    [row] = stored(app)
    assert (str(row.ip_address), row.country) == ("8.8.8.8", "US")


def test_rotating_the_written_entries_does_not_escape_the_visitor_limit(database_url):
    app = create_app(
        app_config(database_url, PROXY_VISITOR_RATE_PER_SECOND=0.01, PROXY_VISITOR_RATE_BURST=2)
    )
    try:
        client = app.test_client()
        codes = [
            post_track(
                client, batch(event()), forwarded_for=f"198.51.100.{i}, 203.0.113.9"
            ).status_code
            for i in range(1, 4)
        ]
        assert codes == [200, 200, 429]
    finally:
        release(db_proxy.obj)


def test_behind_our_own_load_balancer_two_hops_are_trusted(database_url):
    app = create_app(app_config(database_url, TRUSTED_PROXY_HOPS=2))
    try:
        # shopper's own entry, then Shopify's (the shopper), then our balancer's (Shopify).
        forwarded = "81.2.69.160, 8.8.8.8, 23.227.38.1"
        assert post_track(app.test_client(), batch(event()), forwarded_for=forwarded).status_code
        [row] = stored(app)
        assert str(row.ip_address) == "8.8.8.8"
    finally:
        release(db_proxy.obj)


@pytest.mark.parametrize(
    ("forwarded", "remote", "hops", "expected"),
    [
        ("1.1.1.1, 8.8.8.8", "10.0.0.1", 1, "8.8.8.8"),
        ("1.1.1.1, 8.8.8.8, 10.9.9.9", "10.0.0.1", 2, "8.8.8.8"),
        ("8.8.8.8", "10.0.0.1", 2, "10.0.0.1"),  # fewer entries than proxies: none is trusted
        ("1.1.1.1", "10.0.0.1", 0, "10.0.0.1"),  # no proxy: the connection's address
        (None, "10.0.0.1", 1, "10.0.0.1"),
        ("1.1.1.1, fe80::1%eth0", "10.0.0.1", 1, "fe80::1"),
        ("1.1.1.1, ::ffff:8.8.8.8", "10.0.0.1", 1, "8.8.8.8"),
        ("1.1.1.1, not-an-address", "10.0.0.1", 1, None),
    ],
)
def test_shopper_address_counts_trusted_hops_from_the_right(forwarded, remote, hops, expected):
    assert shopper_address(forwarded, remote, hops) == expected


def test_trusted_hops_setting_is_read_and_checked():
    assert load_settings({})["TRUSTED_PROXY_HOPS"] == 1
    assert load_settings({"TRUSTED_PROXY_HOPS": "2"})["TRUSTED_PROXY_HOPS"] == 2
    with pytest.raises(ConfigError, match="TRUSTED_PROXY_HOPS"):
        load_settings({"TRUSTED_PROXY_HOPS": "-1"})


@pytest.mark.parametrize(
    ("address", "expected"),
    [("fe80::1%eth0", "fe80::1"), ("fe80::1%25eth0", "fe80::1"), ("999.1.1.1", None)],
)
def test_zoned_or_invalid_address_is_stored_normalised_or_null_never_a_500(
    app, client, address, expected
):
    response = post_track(client, batch(event()), forwarded_for=address)
    assert response.status_code == 200
    assert response.get_json()["accepted"] == 1
    [row] = stored(app)
    assert (None if row.ip_address is None else str(row.ip_address)) == expected


def test_a_zoned_address_does_not_fail_the_commit_it_shares(db):
    zoned = NewEvent("evt_zoned_0001", "page_view", {"ip_address": "fe80::1%eth0"})
    other = NewEvent("evt_other_0001", "page_view", {"ip_address": "8.8.8.8"})
    new_ids = write_batches([(SHOP, [zoned]), ("other.myshopify.com", [other])])
    assert new_ids == [["evt_zoned_0001"], ["evt_other_0001"]]
    assert {e.event_id: str(e.ip_address) for e in Event.select()} == {
        "evt_zoned_0001": "fe80::1",
        "evt_other_0001": "8.8.8.8",
    }


def test_devstore_appends_the_address_it_saw_after_the_shoppers_own_header(live):
    response = requests.post(
        f"{live.devstore_url}/{SHOP}/apps/sightline/track",
        data=json.dumps(batch(event())),
        headers={
            "Content-Type": "text/plain",
            "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/124.0.0.0 Safari/537.36",
            "X-Forwarded-For": "81.2.69.160",
        },
        timeout=10,
    )
    assert response.status_code == 200, response.text
    assert response.json()["accepted"] == 1
    [row] = stored(live.app)
    assert (str(row.ip_address), row.country) == ("127.0.0.1", None)
