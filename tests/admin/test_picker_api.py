"""The picker's token and its two sides: the admin opens a session and polls it; the storefront
posts its selection through the app proxy with the token. Expired, forged and foreign tokens
are refused and change nothing."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from models import Event, PickerSession, utcnow
from shopify_app.picker import tokens
from tests.admin.conftest import SHOP_A, SHOP_B
from tests.ingest.proxy_client import signed_path

SELECTION = {
    "selector": ".wishlist-btn",
    "event_type": "click",
    "page_type": "product",
    "url": "https://shop-a.myshopify.com/products/red-shoes",
    "match_count": 1,
}


def open_session(shop_client, path: str = "/products/red-shoes") -> dict:  # type: ignore[no-untyped-def]
    response = shop_client.post("/api/picker/sessions", {"path": path})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def token_of(opened: dict) -> str:  # type: ignore[type-arg]
    return opened["url"].split("#sightline-picker=", 1)[1]


def post_selection(client, token: str, shop: str = SHOP_A, **fields):  # type: ignore[no-untyped-def]
    body = {**SELECTION, **fields, "token": token}
    return client.post(
        signed_path("/proxy/picker/selection", shop),
        data=json.dumps(body),
        content_type="text/plain",
    )


def check_token(client, token: str, shop: str = SHOP_A):  # type: ignore[no-untyped-def]
    return client.get(signed_path("/proxy/picker/session", shop, extra=[("token", token)]))


def test_a_selection_travels_from_the_storefront_to_the_admin(shop_a, client):
    opened = open_session(shop_a)
    assert opened["url"].startswith(
        "https://shop-a.myshopify.com/products/red-shoes#sightline-picker="
    )
    assert check_token(client, token_of(opened)).status_code == 200
    poll = shop_a.get(f"/api/picker/sessions/{opened['session_id']}").get_json()["session"]
    assert (poll["seq"], poll["selection"]) == (0, None)

    response = post_selection(client, token_of(opened))
    assert response.status_code == 200 and response.get_json()["seq"] == 1
    poll = shop_a.get(f"/api/picker/sessions/{opened['session_id']}").get_json()["session"]
    assert poll["seq"] == 1
    assert poll["selection"] == {**SELECTION, "page_url": None}

    post_selection(client, token_of(opened), page_type="custom", page_url="/products/red-shoes")
    poll = shop_a.get(f"/api/picker/sessions/{opened['session_id']}").get_json()["session"]
    assert poll["seq"] == 2 and poll["selection"]["page_url"] == "/products/red-shoes"


def test_an_expired_token_is_refused_and_changes_nothing(app, shop_a, client):
    opened = open_session(shop_a)
    claims = tokens.verify(token_of(opened), app.config["SECRET_KEY"], SHOP_A)
    expired, _ = tokens.mint(
        app.config["SECRET_KEY"], SHOP_A, claims.session_id, ttl=60, now=1_000_000_000
    )
    assert check_token(client, expired).status_code == 403
    response = post_selection(client, expired)
    assert response.status_code == 403 and response.get_json()["error"] == "picker token expired"
    assert PickerSession.get(PickerSession.session_id == claims.session_id).seq == 0


def test_the_session_ends_with_its_token(app, shop_a, client):
    opened = open_session(shop_a)
    PickerSession.update(expires_at=utcnow() - dt.timedelta(seconds=1)).execute()
    assert post_selection(client, token_of(opened)).status_code == 403


def test_another_shops_token_is_refused(shop_a, client):
    token = token_of(open_session(shop_a))
    # Shop B's storefront (its proxy signature) with shop A's token.
    response = post_selection(client, token, shop=SHOP_B)
    assert response.status_code == 403 and "another shop" in response.get_json()["error"]
    assert check_token(client, token, shop=SHOP_B).status_code == 403


def test_forged_and_malformed_tokens_are_refused(app, shop_a, client):
    token = token_of(open_session(shop_a))
    body, _, signature = token.partition(".")
    forged, _ = tokens.mint("some other key", SHOP_A, "0" * 32)
    for bad in (forged, body + ".", body + "." + signature[:-2] + "AA", "", "x" * 600, "é.é"):
        assert post_selection(client, bad).status_code == 403, bad
    # Only the signed proxy reaches the picker at all.
    unsigned = client.post(
        "/proxy/picker/selection", data=json.dumps({**SELECTION, "token": token})
    )
    assert unsigned.status_code == 401


def test_a_picker_token_has_no_admin_rights(shop_a, client):
    token = token_of(open_session(shop_a))
    for path in ("/api/custom-events", "/api/settings", "/api/picker/sessions/x"):
        response = client.get(path, headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401


def test_the_admin_reads_only_its_own_sessions(shop_a, shop_b):
    opened = open_session(shop_a)
    assert shop_b.get(f"/api/picker/sessions/{opened['session_id']}").status_code == 404


@pytest.mark.parametrize(
    ("fields", "status"),
    [
        ({"selector": ""}, 422),
        ({"selector": "a{color:red}"}, 422),
        ({"selector": "x" * 501}, 422),
        ({"event_type": "scroll"}, 422),
        ({"page_type": "nowhere"}, 422),
        ({"page_type": "custom", "page_url": "no-slash"}, 422),
        ({"match_count": -1}, 422),
        ({"match_count": True}, 422),
        ({"url": None}, 422),
    ],
)
def test_bad_selections_are_refused(shop_a, client, fields, status):
    response = post_selection(client, token_of(open_session(shop_a)), **fields)
    assert response.status_code == status and "error" in response.get_json()


def test_bad_bodies_are_4xx_json(shop_a, client):
    path = signed_path("/proxy/picker/selection", SHOP_A)
    for data, status in ((b"{", 400), (b"[1]", 400), (b"\xff", 400), (b"x" * 9000, 413)):
        response = client.post(path, data=data, content_type="text/plain")
        assert response.status_code == status and "error" in response.get_json()


@pytest.mark.parametrize("path", ["products", "//evil.example/", "https://evil.example/", "/a#b"])
def test_the_storefront_path_must_be_a_path(shop_a, path):
    response = shop_a.post("/api/picker/sessions", {"path": path})
    assert response.status_code == 422 and response.get_json()["field"] == "path"


def test_latest_occurrence_is_the_newest_since_the_save(shop_a, shop_b):
    event = shop_a.create(display_name="Wishlist", selector=".wishlist-btn")
    path = f"/api/custom-events/{event['id']}/latest-occurrence"
    assert shop_a.get(path).get_json()["occurrence"] is None
    since = utcnow()
    Event.create(
        app_id=SHOP_A,
        event_name="wishlist",
        event_id="e1",
        created_at=since - dt.timedelta(minutes=5),
    )
    assert shop_a.get(f"{path}?since={since.isoformat()}Z").get_json()["occurrence"] is None
    Event.create(
        app_id=SHOP_A,
        event_name="wishlist",
        event_id="e2",
        device_type="desktop",
        url="https://shop-a.myshopify.com/products/red-shoes",
        created_at=since + dt.timedelta(seconds=2),
    )
    Event.create(app_id=SHOP_B, event_name="wishlist", event_id="e3", created_at=utcnow())
    found = shop_a.get(f"{path}?since={since.isoformat()}Z").get_json()["occurrence"]
    assert (found["device_type"], found["url"]) == ("desktop", SELECTION["url"])
    assert shop_b.get(path).status_code == 404
    assert shop_a.get(f"{path}?since=yesterday").status_code == 422
