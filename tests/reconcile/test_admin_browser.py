"""The Reconciliation page in a real Chromium shows the API's numbers, the drift banner, and
repairs a day with one click; the Deliveries page carries the banner too."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from devstore.id_tokens import sign_id_token
from models import utcnow
from tests.conftest import TEST_API_KEY, TEST_API_SECRET
from tests.reconcile.conftest import SHOP

SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
CELLS = ("orders", "recorded", "delivered", "failed", "pending")


def admin_url(live, path: str) -> str:  # type: ignore[no-untyped-def]
    token = sign_id_token(SHOP, TEST_API_KEY, TEST_API_SECRET, ttl=600)
    query = urlencode({"shop": SHOP, "embedded": "1", "host": "YWRtaW4", "id_token": token})
    return f"{live.app_url}{path}?{query}"


def row_numbers(page, day: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    row = page.locator(f"tr[data-day='{day}']")
    found = {name: row.locator(f"[data-{name}]").inner_text() for name in CELLS}
    found["missing"] = row.locator("[data-missing]").inner_text()
    found["skipped"] = row.locator("[data-skipped]").inner_text()
    found["drift"] = row.locator("[data-drift]").inner_text().split(" ")[0]
    return found


def api_numbers(report) -> dict[str, str]:  # type: ignore[no-untyped-def]
    found = {name: str(report[name]) for name in CELLS}
    found["missing"] = str(len(report["missing"]))
    found["skipped"] = str(sum(report["skipped"].values()))
    found["drift"] = str(report["drift"])
    return found


@SQLITE_ONLY
def test_the_page_shows_the_apis_numbers_and_repairs(store, live, page):
    for _ in range(5):
        store.order()
    for _ in range(2):
        store.order(webhook=False)
    day = utcnow().date().isoformat()
    report = store.api("GET", f"/api/reconciliation?date={day}").json()
    page.set_default_timeout(15_000)

    page.goto(admin_url(live, "/reconciliation"))

    assert row_numbers(page, day) == api_numbers(report)
    assert row_numbers(page, day)["missing"] == "2"
    assert (
        "2 order(s) have no purchase recorded" in page.locator("[data-drift-banner]").inner_text()
    )
    page.goto(admin_url(live, "/deliveries"))
    assert page.locator("[data-drift-banner]").is_visible()

    page.goto(admin_url(live, "/reconciliation"))
    with page.expect_navigation():
        page.click(f"[data-reconcile-repair='{day}']")

    page.locator(f"tr[data-day='{day}'] [data-orders]").wait_for()
    after = store.api("GET", f"/api/reconciliation?date={day}").json()
    assert after["missing"] == [] and after["recorded"] == 7
    page.reload()
    assert row_numbers(page, day) == api_numbers(after)
    assert page.locator("[data-drift-banner]").count() == 0
