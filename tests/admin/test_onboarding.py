"""The onboarding checklist: theme-editor deep link, then the first storefront event."""

from __future__ import annotations

from models import Event
from tests.admin.conftest import SHOP_A, ShopClient
from tests.conftest import TEST_API_KEY
from tests.install.conftest import launch


def events_page(live) -> str:  # type: ignore[no-untyped-def]
    client = ShopClient(live.app.test_client(), SHOP_A)
    token = client._headers()["Authorization"][len("Bearer ") :]
    return client.client.get(f"/events?shop={SHOP_A}&id_token={token}").get_data(as_text=True)


def test_checklist_links_to_the_app_embed_and_waits_for_the_first_event(live):
    assert launch(live, SHOP_A).status_code == 200
    html = events_page(live)
    deep_link = (
        f"https://{SHOP_A}/admin/themes/current/editor?context=apps"
        f"&amp;activateAppId={TEST_API_KEY}/sightline"
    )
    assert deep_link in html
    assert "Waiting for the first storefront event" in html

    Event.create(app_id=SHOP_A, event_name="purchase", source="webhook")  # not from the embed
    assert "Waiting for the first storefront event" in events_page(live)

    Event.create(app_id=SHOP_A, event_name="page_view", source="storefront")
    assert "First storefront event received" in events_page(live)
