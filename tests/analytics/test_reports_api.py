"""The reports API: Bearer-authenticated, scoped to the token's shop, 422 on bad input."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from models import Event, utcnow
from shopify_app.analytics import rollups
from tests.admin.conftest import SHOP_A, SHOP_B

HOUR = dt.timedelta(hours=1)


def add(shop: str, name: str, ago: dt.timedelta, **columns: object) -> None:
    Event.create(app_id=shop, event_name=name, created_at=utcnow() - ago, **columns)


@pytest.fixture
def stored(client):  # type: ignore[no-untyped-def]
    day = dt.timedelta(days=1)
    add(
        SHOP_A,
        "page_view",
        3 * day,
        session_id="a1",
        country="DE",
        utm_source="facebook",
        url="https://shop-a/products/red?x=1",
    )
    add(SHOP_A, "add_to_wishlist", 3 * day - HOUR, session_id="a1", country="DE")
    add(
        SHOP_A,
        "purchase",
        3 * day - 2 * HOUR,
        session_id="a1",
        country="DE",
        value="20.00",
        currency="EUR",
    )
    add(SHOP_A, "page_view", 40 * day, session_id="a0", country="FR")  # previous period
    add(
        SHOP_A,
        "page_view",
        dt.timedelta(minutes=1),
        session_id="a2",
        country="FR",
        url="https://shop-a/",
    )
    add(SHOP_B, "purchase", day, session_id="b1", country="DE", value="999.00", currency="USD")
    rollups.run_round()


def test_overview_has_each_figure_beside_the_previous_period(shop_a, stored):
    body = shop_a.get("/api/reports/overview?days=30").get_json()
    assert body["success"] is True
    metrics = body["metrics"]
    assert metrics["events"] == {"value": 4, "previous": 1}
    assert metrics["sessions"] == {"value": 2, "previous": 1}
    assert metrics["purchases"]["value"] == 1 and metrics["revenue"]["value"] == "20.00"
    assert metrics["conversion_rate"]["value"] == 0.5


def test_breakdown_filters_and_uses_display_names(shop_a, stored):
    shop_a.create(display_name="Add to wishlist")  # name add_to_wishlist
    body = shop_a.get("/api/reports/breakdown?days=30&dimension=event_name").get_json()
    labels = {r["key"]: r["label"] for r in body["rows"]}
    assert labels["add_to_wishlist"] == "Add to wishlist" and labels["page_view"] == "Page view"
    body = shop_a.get(
        "/api/reports/breakdown?days=30&dimension=event_name&filter=country:DE,utm_source:facebook"
    ).get_json()
    assert [(r["key"], r["events"]) for r in body["rows"]] == [("page_view", 1)]
    assert body["sessions_exact"] is False


def test_another_shops_events_never_show(shop_b, stored):
    body = shop_b.get("/api/reports/breakdown?days=30&dimension=country").get_json()
    assert [(r["key"], r["events"]) for r in body["rows"]] == [("DE", 1)]
    assert shop_b.get("/api/reports/live").get_json()["events"] == []


def test_funnel_counts_ordered_steps_with_drop_off(shop_a, stored):
    body = shop_a.get(
        "/api/reports/funnel?days=30&steps=page_view,add_to_wishlist,purchase"
    ).get_json()
    assert [(s["sessions"], s["drop_off"]) for s in body["steps"]] == [(2, 0), (1, 1), (1, 0)]
    reversed_order = shop_a.get("/api/reports/funnel?days=30&steps=purchase,page_view").get_json()
    assert [s["sessions"] for s in reversed_order["steps"]] == [1, 0]


def test_pages_attribution_timeseries_and_live(shop_a, stored):
    pages = shop_a.get("/api/reports/pages?days=30").get_json()["rows"]
    assert {p["path"]: p["views"] for p in pages} == {"/products/red": 1, "/": 1}
    attribution = shop_a.get("/api/reports/attribution?days=30").get_json()["rows"]
    facebook = next(r for r in attribution if r["utm_source"] == "facebook")
    assert (facebook["sessions"], facebook["purchases"], facebook["revenue"]) == (1, 1, "20.00")
    series = shop_a.get("/api/reports/timeseries?days=7").get_json()["points"]
    assert len(series) == 7 and sum(p["events"] for p in series) == 4
    hourly = shop_a.get("/api/reports/timeseries?days=2&interval=hour").get_json()["points"]
    assert len(hourly) == 48 and sum(p["events"] for p in hourly) == 1
    live = shop_a.get("/api/reports/live?minutes=5").get_json()["events"]
    assert [(e["event_name"], e["label"]) for e in live] == [("page_view", "Page view")]


def test_export_streams_the_periods_events_as_csv(shop_a, stored):
    response = shop_a.get("/api/reports/export.csv?days=30")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert sorted(r["event_name"] for r in rows) == [
        "add_to_wishlist",
        "page_view",
        "page_view",
        "purchase",
    ]


@pytest.mark.parametrize(
    "path",
    [
        "/api/reports/overview?days=0",
        "/api/reports/overview?days=x",
        "/api/reports/overview?start=2026-01-02&end=2026-01-01",
        "/api/reports/overview?start=2026-01-01",
        "/api/reports/overview?start=nope&end=2026-01-01",
        "/api/reports/overview?filter=planet:mars",
        "/api/reports/overview?filter=country",
        "/api/reports/breakdown?dimension=password",
        "/api/reports/breakdown?dimension=country&limit=0",
        "/api/reports/timeseries?interval=minute",
        "/api/reports/timeseries?days=30&interval=hour",
        "/api/reports/funnel?steps=page_view",
        "/api/reports/live?minutes=1000",
        "/api/reports/export.csv?days=9999",
    ],
)
def test_bad_input_is_a_422_with_a_message(shop_a, path):
    response = shop_a.get(path)
    assert response.status_code == 422
    assert response.get_json()["error"] and response.get_json()["success"] is False


def test_reports_need_an_id_token(client):
    assert client.get("/api/reports/overview").status_code == 401
