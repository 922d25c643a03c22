"""The reports page in Chromium: date picker, a filter by clicking a row, the funnel and the
live view, with charts drawn by the vendored Chart.js (Shopify's CDN unreachable)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from models import CustomEvent, Event, utcnow
from shopify_app.analytics import rollups
from tests.conftest import TEST_API_KEY
from tests.install.conftest import SHOP, launch

SCREENSHOTS = Path(__file__).resolve().parents[2] / "instance" / "screenshots"
DAY = dt.timedelta(days=1)


def seed() -> None:
    now = utcnow()
    CustomEvent.create(
        app_id=SHOP, name="add_to_wishlist", display_name="Add to wishlist", selector=".w"
    )
    for i in range(6):  # six sessions ten days ago: page views, three wishlists, one purchase
        at = now - 10 * DAY + dt.timedelta(minutes=i)
        country = "DE" if i < 4 else "FR"
        Event.create(
            app_id=SHOP,
            event_name="page_view",
            created_at=at,
            session_id=f"s{i}",
            country=country,
            url=f"https://{SHOP}/products/p{i % 2}",
            utm_source="facebook" if i % 2 else None,
        )
        if i < 3:
            Event.create(
                app_id=SHOP,
                event_name="add_to_wishlist",
                session_id=f"s{i}",
                created_at=at + dt.timedelta(seconds=30),
                country=country,
            )
    Event.create(
        app_id=SHOP,
        event_name="purchase",
        session_id="s1",
        value="42.00",
        currency="EUR",
        created_at=now - 10 * DAY + dt.timedelta(minutes=9),
        country="DE",
    )
    Event.create(
        app_id=SHOP, event_name="page_view", session_id="t1", created_at=now - 2 * DAY, country="FR"
    )
    rollups.run_round()


def kpi(page, name: str) -> str:  # type: ignore[no-untyped-def]
    return page.locator(f"[data-kpi={name}]").inner_text()


def wait_for_refresh(page, before: int) -> None:  # type: ignore[no-untyped-def]
    page.wait_for_function(f"() => Number(document.body.dataset.reportsLoaded || 0) > {before}")


def loaded(page) -> int:  # type: ignore[no-untyped-def]
    return int(page.evaluate("() => Number(document.body.dataset.reportsLoaded || 0)"))


def test_reports_dashboard_in_chromium(live, page):
    assert launch(live).status_code == 200
    seed()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.set_default_timeout(15_000)
    page.goto(f"{live.devstore_url}/{SHOP}/admin/apps/{TEST_API_KEY}/reports")
    wait_for_refresh(page, 0)
    assert kpi(page, "events") == "11"
    assert kpi(page, "purchases") == "1" and kpi(page, "revenue") == "42.00"
    # Charts come from the vendored Chart.js, with titled axes.
    titles = page.evaluate(
        "() => { const c = Chart.getChart(document.querySelector('[data-chart=timeseries]'));"
        " return [c.options.scales.x.title.text, c.options.scales.y.title.text]; }"
    )
    assert titles == ["Day (shop time)", "Count"]
    rows = page.locator("[data-breakdown-table] tbody tr td:first-child").all_inner_texts()
    assert "Add to wishlist" in rows and "add_to_wishlist" not in rows  # display names

    # Date picker: the last 7 days (one recent page view; the previous 7 hold the other ten).
    today = page.locator("[data-end]").input_value()
    start = (dt.date.fromisoformat(today) - dt.timedelta(days=6)).isoformat()
    before = loaded(page)
    page.fill("[data-start]", start)
    page.click("[data-apply]")
    wait_for_refresh(page, before)
    assert kpi(page, "events") == "1"
    assert "Previous: 10" in page.locator("[data-delta=events]").inner_text()

    # Back to 30 days, then filter by clicking the "Add to wishlist" row.
    before = loaded(page)
    page.click("[data-preset='30']")
    wait_for_refresh(page, before)
    before = loaded(page)
    page.locator("[data-breakdown-table] tbody tr", has_text="Add to wishlist").click()
    wait_for_refresh(page, before)
    assert page.locator("[data-filter-chip]").inner_text().startswith("Event: Add to wishlist")
    assert kpi(page, "events") == "3"

    # Funnel: page view → add to wishlist → purchase.
    steps = page.locator("[data-funnel-step]")
    steps.nth(0).select_option("page_view")
    steps.nth(1).select_option("add_to_wishlist")
    steps.nth(2).select_option("purchase")
    runs = page.evaluate("() => Number(document.querySelector('[data-funnel]').dataset.runs)")
    page.click("[data-funnel-run]")
    page.wait_for_function(
        f"() => Number(document.querySelector('[data-funnel]').dataset.runs) > {runs}"
    )
    cells = page.locator("[data-funnel-table] tbody tr td:nth-child(2)").all_inner_texts()
    assert cells == ["7", "3", "1"]

    # Live view: an event fired now shows up without reloading the page.
    Event.create(app_id=SHOP, event_name="add_to_wishlist", session_id="live", country="NL")
    page.wait_for_selector("[data-live-table] tbody tr:has-text('Add to wishlist')")
    page.screenshot(path=str(SCREENSHOTS / "reports.png"), full_page=True)
