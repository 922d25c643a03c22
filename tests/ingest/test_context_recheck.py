"""A custom event saved a moment ago is recorded at once (the merchant tests it right after
saving), while the per-process shop cache still bounds how often unknown names cost a read."""

from __future__ import annotations

from models import CustomEvent, Event
from tests.ingest.proxy_client import SHOP, batch, event, post_track


def cache_shop_then_create_event(app, client) -> None:  # type: ignore[no-untyped-def]
    assert post_track(client, batch(event("page_view"))).get_json()["accepted"] == 1
    with app.app_context():
        CustomEvent.create(
            app_id=SHOP, name="add_to_wishlist", display_name="Add to wishlist", selector=".w"
        )


def test_an_event_saved_after_the_shop_was_cached_is_accepted(app, client):
    app.extensions["sightline_ingest"].recheck_after = 0  # "a moment later", without waiting
    cache_shop_then_create_event(app, client)
    result = post_track(client, batch(event("add_to_wishlist"))).get_json()
    assert result == {"accepted": 1, "rejected": []}
    with app.app_context():
        assert Event.select().where(Event.event_name == "add_to_wishlist").count() == 1


def test_unknown_names_are_looked_up_again_at_most_once_per_recheck_interval(app, client):
    app.extensions["sightline_ingest"].recheck_after = 3600
    cache_shop_then_create_event(app, client)
    result = post_track(client, batch(event("add_to_wishlist"))).get_json()
    assert result["accepted"] == 0  # still the cached context: the bound holds
