"""POST /proxy/track: enriched, validated, deduplicated, durable; refused politely otherwise."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from models import AppSettings, CustomEvent, Delivery, Event, Shop, ShopState
from models import db as db_proxy
from shopify_app import create_app
from tests.conftest import app_config, release
from tests.ingest.proxy_client import SHOP, batch, event, post_track


@pytest.fixture
def wishlist(app):
    with app.app_context():
        CustomEvent.create(
            app_id=SHOP,
            name="add_to_wishlist",
            display_name="Add to wishlist",
            event_type="click",
            selector=".wishlist-btn",
            page_type="product",
            meta_event_name="AddToWishlist",
        )


def stored(app) -> list[Event]:
    with app.app_context():
        return list(Event.select().order_by(Event.id))


def test_a_page_view_is_stored_with_its_enrichment(app, client):
    body = batch(
        event(
            id="evt_pageview_1",
            url=f"https://{SHOP}/products/red-shoes?utm_source=meta&utm_campaign=spring&fbclid=FB1",
            data={"title": "Red shoes"},
        ),
        fbp="fb.1.1700000000000.111",
        fbc="fb.1.1700000000000.FB1",
        referrer="https://www.google.com/",
    )
    response = post_track(client, body, customer_id="7001")
    assert response.get_json() == {"accepted": 1, "rejected": []}
    [row] = stored(app)
    assert (row.event_id, row.event_name, row.source, row.page_type) == (
        "evt_pageview_1",
        "page_view",
        "storefront",
        "product",
    )
    assert (row.device_type, row.browser, row.country, str(row.ip_address)) == (
        "desktop",
        "Chrome",
        "US",
        "8.8.8.8",
    )
    assert (row.utm_source, row.utm_campaign, row.fbclid) == ("meta", "spring", "FB1")
    assert (row.fbp, row.fbc, row.referrer) == (
        "fb.1.1700000000000.111",
        "fb.1.1700000000000.FB1",
        "https://www.google.com/",
    )
    assert (row.session_id, row.customer_id, row.marketing_consent) == (
        "sess_0123456789",
        "7001",
        True,
    )
    assert row.custom_data == {"title": "Red shoes"}
    assert len(row.fingerprint) == 32 and "8.8.8.8" not in row.fingerprint


def test_the_same_visitor_gets_the_same_fingerprint_today_and_others_a_different_one(app, client):
    post_track(client, batch(event()), ip="8.8.8.8")
    post_track(client, batch(event()), ip="8.8.8.8")
    post_track(client, batch(event()), ip="1.1.1.1")
    first, again, other = (row.fingerprint for row in stored(app))
    assert first == again != other


def test_no_ip_or_location_is_stored_when_the_shop_turned_it_off(app, client):
    with app.app_context():
        AppSettings.create(app_id=SHOP, record_location=False)
    assert post_track(client, batch(event())).get_json()["accepted"] == 1
    [row] = stored(app)
    assert (row.ip_address, row.country, row.city) == (None, None, None)
    assert row.fingerprint is not None


def test_a_duplicate_event_id_is_accepted_and_stored_once(app, client):
    body = batch(event(id="evt_duplicate_1"))
    assert post_track(client, body).get_json()["accepted"] == 1
    assert post_track(client, body).get_json()["accepted"] == 1
    assert post_track(client, batch(event(id="evt_duplicate_1"), event(id="evt_duplicate_1")))
    assert [row.event_id for row in stored(app)] == ["evt_duplicate_1"]


def test_bad_events_are_rejected_by_index_and_the_rest_stored(app, client, wishlist):
    body = batch(
        event("add_to_wishlist", id="evt_good_0001", value=19.9, currency="EUR"),
        event("not_configured", id="evt_bad_00001"),
        event(id="short"),
        event(id="evt_bad_00003", url="javascript:alert(1)"),
        event(id="evt_bad_00004", value=-1),
        event(id="evt_bad_00005", currency="EURO"),
        event(id="evt_bad_00006", data=[1, 2]),
        "not an event",
        event(id="evt_good_0002"),
    )
    result = post_track(client, body).get_json()
    assert result["accepted"] == 2
    assert [r["index"] for r in result["rejected"]] == [1, 2, 3, 4, 5, 6, 7]
    assert "not an active custom event" in result["rejected"][0]["error"]
    rows = stored(app)
    assert [(r.event_id, r.value, r.currency) for r in rows] == [
        ("evt_good_0001", Decimal("19.90"), "EUR"),
        ("evt_good_0002", None, None),
    ]


def test_an_inactive_custom_event_is_rejected(app, client, wishlist):
    with app.app_context():
        CustomEvent.update(is_active=False).execute()
    result = post_track(client, batch(event("add_to_wishlist"))).get_json()
    assert result["accepted"] == 0 and stored(app) == []


def test_page_views_are_rejected_when_turned_off(app, client):
    with app.app_context():
        AppSettings.create(app_id=SHOP, track_pageviews=False)
    result = post_track(client, batch(event())).get_json()
    assert result == {
        "accepted": 0,
        "rejected": [{"index": 0, "error": result["rejected"][0]["error"]}],
    }
    assert stored(app) == []


def test_nothing_is_stored_when_every_tracking_toggle_is_off(app, client):
    with app.app_context():
        AppSettings.create(
            app_id=SHOP, custom_events_enabled=False, track_pageviews=False, track_clicks=False
        )
    assert post_track(client, batch(event(), event())).get_json()["accepted"] == 0
    assert stored(app) == []


def test_nothing_is_stored_for_an_uninstalled_shop(app, client):
    with app.app_context():
        Shop.create(domain=SHOP, state=ShopState.UNINSTALLED)
    assert post_track(client, batch(event())).get_json()["accepted"] == 0
    assert stored(app) == []


@pytest.mark.parametrize(
    "user_agent",
    [
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 HeadlessChrome/156.0.0.0",
        "",
    ],
)
def test_bots_are_not_counted(app, client, user_agent):
    result = post_track(client, batch(event()), user_agent=user_agent).get_json()
    assert (
        result["accepted"] == 0 and result["rejected"][0]["error"] == "bot traffic is not recorded"
    )
    assert stored(app) == []


def test_meta_outbox_rows_only_for_consenting_shoppers_when_a_pixel_is_set(app, client, wishlist):
    with app.app_context():
        AppSettings.create(app_id=SHOP, pixel_id="1234567890", send_to_meta=True)
    post_track(client, batch(event("add_to_wishlist", id="evt_consent_yes")))
    post_track(client, batch(event("add_to_wishlist", id="evt_consent_no0"), marketing=False))
    post_track(client, batch(event(id="evt_pageview_00")))  # not mapped to a Meta event
    with app.app_context():
        deliveries = [(d.event.event_id, d.event_name) for d in Delivery.select()]
    assert deliveries == [("evt_consent_yes", "AddToWishlist")]


def test_invalid_json_is_a_400(app, client):
    assert post_track(client, None, raw=b"{not json").status_code == 400
    assert post_track(client, None, raw=b"\xff\xfe").status_code == 400
    assert post_track(client, None, raw=b"[" * 60000).status_code == 400
    assert stored(app) == []


def test_json_that_is_not_a_batch_is_a_422(client):
    for body in ([], {"events": "x"}, {"no": "events"}, 3):
        response = post_track(client, body)
        assert response.status_code == 422 and "events" in response.get_json()["error"]


def test_bodies_over_64_kb_and_batches_over_50_events_are_a_413(app, client):
    big = batch(event())
    big["padding"] = "y" * (64 * 1024)
    assert post_track(client, big).status_code == 413
    assert post_track(client, batch(*[event() for _ in range(51)])).status_code == 413
    assert post_track(client, batch(*[event() for _ in range(50)])).get_json()["accepted"] == 50
    assert len(stored(app)) == 50


def test_a_shop_over_its_rate_limit_gets_a_429(database_url):
    app = create_app(app_config(database_url, PROXY_RATE_PER_SECOND=0.01, PROXY_RATE_BURST=2))
    try:
        client = app.test_client()
        codes = [post_track(client, batch(event())).status_code for _ in range(3)]
        other_shop = post_track(client, batch(event()), shop="other.myshopify.com")
        assert codes == [200, 200, 429] and other_shop.status_code == 200
        assert int(post_track(client, batch(event())).headers["Retry-After"]) >= 1
        with app.app_context():
            assert Event.select().count() == 3
    finally:
        release(db_proxy.obj)


def test_one_visitor_over_its_limit_does_not_stop_the_shops_other_shoppers(database_url):
    app = create_app(
        app_config(database_url, PROXY_VISITOR_RATE_PER_SECOND=0.01, PROXY_VISITOR_RATE_BURST=2)
    )
    try:
        client = app.test_client()
        flood = [post_track(client, batch(event()), ip="203.0.113.9").status_code for _ in range(3)]
        shopper = post_track(client, batch(event()), ip="198.51.100.7")
        assert flood == [200, 200, 429] and shopper.status_code == 200
    finally:
        release(db_proxy.obj)


def test_reply_comes_after_commit_even_under_concurrency(app):
    from concurrent.futures import ThreadPoolExecutor

    def send(i: int) -> int:
        client = app.test_client()
        body = batch(*[event(id=f"evt_concurrent_{i:03d}_{j}") for j in range(5)])
        # 40 shoppers at once, each from its own address (one address would be rate-limited).
        return post_track(client, body, ip=f"198.51.100.{i + 1}").get_json()["accepted"]

    with ThreadPoolExecutor(8) as pool:
        accepted = list(pool.map(send, range(40)))
    assert accepted == [5] * 40
    assert len(stored(app)) == 200
    committer = app.extensions["sightline_ingest"].committer
    assert committer.commits <= 40  # concurrent requests shared commits


def test_more_concurrent_requests_than_pooled_connections_all_commit(database_url):
    """Waiting requests must not hold the pooled connections the writer thread needs."""
    if not database_url.startswith("postgresql"):
        pytest.skip("the connection pool is PostgreSQL's")
    from concurrent.futures import ThreadPoolExecutor

    app = create_app(app_config(f"{database_url}?max_connections=3"))
    try:

        def send(i: int) -> int:
            body = batch(*[event(id=f"evt_pool_{i:03d}_{j}") for j in range(5)])
            response = post_track(app.test_client(), body, ip=f"198.51.100.{i + 1}")
            return response.status_code

        with ThreadPoolExecutor(12) as pool:
            codes = list(pool.map(send, range(24)))
        assert codes == [200] * 24
        with app.app_context():
            assert Event.select().count() == 120
    finally:
        release(db_proxy.obj)


def test_body_is_json_even_for_the_reply(client):
    response = post_track(client, batch(event()))
    assert response.headers["Content-Type"].startswith("application/json")
    assert json.loads(response.data)["accepted"] == 1


def test_custom_events_are_rejected_when_turned_off_and_page_views_still_kept(
    app, client, wishlist
):
    with app.app_context():
        AppSettings.create(app_id=SHOP, custom_events_enabled=False)
    result = post_track(client, batch(event("add_to_wishlist"), event())).get_json()
    assert result["accepted"] == 1
    assert result["rejected"] == [
        {"index": 0, "error": "custom events are turned off for this shop"}
    ]
    assert [row.event_name for row in stored(app)] == ["page_view"]


def click(**data):  # type: ignore[no-untyped-def]
    return event("click", data=data)


def test_autocaptured_clicks_keep_only_their_four_bounded_fields(app, client):
    body = batch(
        click(
            tag="A",
            text="  Shop\n the   <b>sale</b>\u0000 " + "x" * 10_000,
            href="/collections/sale",
            selector="a.hero-link",
            value_typed="secret",
        )
    )
    assert post_track(client, body).get_json() == {"accepted": 1, "rejected": []}
    [row] = stored(app)
    assert set(row.custom_data) == {"tag", "text", "href", "selector"}
    assert row.custom_data["tag"] == "a" and row.custom_data["selector"] == "a.hero-link"
    assert row.custom_data["text"].startswith("Shop the <b>sale</b> xxx")
    assert len(row.custom_data["text"]) == 100 and "\u0000" not in row.custom_data["text"]


def test_autocaptured_clicks_are_rejected_when_click_tracking_is_off(app, client):
    with app.app_context():
        AppSettings.create(app_id=SHOP, track_clicks=False)
    result = post_track(client, batch(click(tag="button", text="Buy"))).get_json()
    assert result["accepted"] == 0 and "click autocapture is turned off" in str(result)
    assert stored(app) == []
