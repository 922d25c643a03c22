"""devstore sends signed deliveries over HTTP, as Shopify would, for demos and tests."""

from __future__ import annotations

from decimal import Decimal

import requests

from tests.webhooks.conftest import SHOP, inbox, purchases, wait_processed


def test_devstore_sends_a_paid_order_twice_with_one_webhook_id(hooks):
    answer = requests.post(
        f"{hooks.devstore_url}/_devstore/webhooks",
        json={"topic": "orders/paid", "shop": SHOP, "order": {"total_price": "20.00"}, "times": 2},
        timeout=10,
    ).json()
    assert [status for status, _ in answer["responses"]] == [200, 200]
    assert [body["status"] for _, body in answer["responses"]] == ["received", "duplicate"]
    assert [d.webhook_id for d in inbox()] == [answer["webhook_id"]]
    wait_processed(answer["webhook_id"], 0)
    assert [p.value for p in purchases()] == [Decimal("20.00")]
    log = requests.get(f"{hooks.devstore_url}/_devstore/webhooks", timeout=10).json()["sent"]
    assert [entry["status"] for entry in log] == [200, 200]


def test_devstore_refuses_a_shop_that_is_not_a_myshopify_domain(hooks):
    answer = requests.post(
        f"{hooks.devstore_url}/_devstore/webhooks",
        json={"topic": "orders/paid", "shop": "evil.com"},
        timeout=10,
    )
    assert answer.status_code == 400
    assert inbox() == []
