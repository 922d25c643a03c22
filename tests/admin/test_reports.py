"""Report figures from stored events: totals, revenue, per day, breakdowns; one shop only."""

from __future__ import annotations

import datetime as dt

from models import Event
from shopify_app.analytics import rollups
from shopify_app.analytics.reports import dashboard
from tests.admin.conftest import SHOP_A, SHOP_B, ShopClient
from tests.install.conftest import launch

NOW = dt.datetime(2026, 11, 25, 12, 0)


def add(shop: str, name: str, days_ago: int, **columns: object) -> None:
    Event.create(
        app_id=shop,
        event_name=name,
        created_at=NOW - dt.timedelta(days=days_ago, hours=1),
        **columns,
    )


def seed() -> None:
    for _ in range(2):  # two page views in one session
        add(
            SHOP_A,
            "page_view",
            0,
            session_id="s1",
            device_type="mobile",
            country="DE",
            utm_campaign="bf",
        )
    add(SHOP_A, "add_to_wishlist", 1, session_id="s2", device_type="desktop", country="FR")
    add(
        SHOP_A,
        "purchase",
        1,
        session_id="s2",
        device_type="desktop",
        country="FR",
        value="19.90",
        currency="EUR",
    )
    add(SHOP_A, "purchase", 2, session_id="s3", value="5.10", currency="EUR")
    add(SHOP_A, "page_view", 40, session_id="old")  # outside the window
    add(SHOP_B, "purchase", 0, session_id="b1", value="999.00", currency="USD", country="US")
    rollups.run_round(NOW)  # closed days are read from the rollups the worker keeps


def test_dashboard_counts_only_the_shop_and_window(db):
    seed()
    report = dashboard(SHOP_A, days=30, now=NOW)
    assert report["totals"] == {"events": 5, "sessions": 3, "purchases": 2}
    assert report["revenue"] == [{"currency": "EUR", "total": "25.00", "orders": 2}]
    assert report["by_name"][0] == {"key": "page_view", "events": 2}
    assert {r["key"]: r["events"] for r in report["by_device"]} == {
        "mobile": 2,
        "desktop": 2,
        "(none)": 1,
    }
    assert {r["key"] for r in report["by_country"]} == {"DE", "FR", "(none)"}
    assert "US" not in str(report)


def test_events_over_time_has_every_day_including_empty_ones(db):
    seed()
    over_time = dashboard(SHOP_A, days=7, now=NOW)["over_time"]
    assert [d["date"] for d in over_time][-3:] == ["2026-11-23", "2026-11-24", "2026-11-25"]
    assert [d["events"] for d in over_time] == [0, 0, 0, 0, 1, 2, 2]


def test_report_api_validates_the_period(shop_a):
    assert shop_a.get("/api/reports/dashboard?days=0").status_code == 422
    assert shop_a.get("/api/reports/dashboard?days=abc").status_code == 422
    body = shop_a.get("/api/reports/dashboard?days=7").get_json()
    assert body["days"] == 7 and len(body["over_time"]) == 7


def test_reports_page_shows_the_figures(live):
    assert launch(live, SHOP_A).status_code == 200
    shop_a = ShopClient(live.app.test_client(), SHOP_A)
    Event.create(
        app_id=SHOP_A, event_name="purchase", value="12.50", currency="EUR", session_id="x"
    )
    token = shop_a._headers()["Authorization"][len("Bearer ") :]
    page = shop_a.client.get(f"/reports?shop={SHOP_A}&id_token={token}&days=7")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'data-kpi="purchases">1<' in html and "12.50 EUR" in html
