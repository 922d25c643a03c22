"""`sightline worker`: one round retries pending config syncs against devstore."""

from __future__ import annotations

import json

from models import Shop
from shopify_app.custom_events.service import create_event
from shopify_app.worker import run_round
from tests.install.conftest import SHOP, launch, stored_metafield


def test_worker_round_syncs_a_pending_storefront_config(live):
    assert launch(live).status_code == 200
    with live.app.app_context():
        create_event(SHOP, {"display_name": "Wishlist", "event_type": "click", "selector": ".w"})
    Shop.update(config_sync_pending_since=Shop.installed_at).where(Shop.domain == SHOP).execute()

    report = run_round(live.app)

    assert (report.configs_synced, report.configs_pending) == (1, 0)
    config = json.loads(stored_metafield(live)["value"])
    assert [e["name"] for e in config["events"]] == ["wishlist"]
    assert Shop.get(Shop.domain == SHOP).config_sync_pending_since is None
