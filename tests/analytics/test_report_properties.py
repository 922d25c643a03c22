"""Property: on random events, every report equals the same figure computed from raw events.

Closed days come from the rollups and today from the worker's rows of today so far plus the
events stored after them (or raw events), in the shop's time zone; the reference below knows
nothing of either and just walks the events in Python.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from models import (
    Event,
    RollupAttribution,
    RollupDaily,
    RollupDimension,
    RollupHourly,
    RollupPage,
    RollupPath,
    RollupState,
    RollupToday,
    RollupTodayRow,
    Session,
    SessionEvent,
    Shop,
)
from shopify_app.analytics import localtime, rollups
from shopify_app.analytics.funnel import funnel
from shopify_app.analytics.period import last_days
from shopify_app.analytics.reports import attribution, breakdown, dashboard, overview, timeseries

NOW = dt.datetime(2026, 11, 25, 13, 17)
SHOP, OTHER = "prop-shop.myshopify.com", "other-shop.myshopify.com"
ZONES = ["UTC", "America/New_York", "Asia/Kolkata", "Pacific/Auckland"]
NAMES = ["page_view", "click", "add_to_cart", "purchase"]

event_strategy = st.fixed_dictionaries(
    {
        "minutes_ago": st.integers(0, 10 * 24 * 60),
        "event_name": st.sampled_from(NAMES),
        "session_id": st.sampled_from(["s1", "s2", "s3", "s4", "s5", None]),
        "country": st.sampled_from(["DE", "FR", None]),
        "device_type": st.sampled_from(["mobile", "desktop"]),
        "utm_source": st.sampled_from(["facebook", "google", None]),
        "cents": st.integers(1, 50_000),
        "shop": st.sampled_from([SHOP, SHOP, SHOP, OTHER]),
    }
)


def _reset() -> None:
    for model in (
        Event,
        RollupDaily,
        RollupHourly,
        RollupDimension,
        RollupPage,
        RollupPath,
        RollupAttribution,
        Session,
        SessionEvent,
        RollupState,
        RollupToday,
        RollupTodayRow,
        Shop,
    ):
        model.delete().execute()


def _store(specs: list[dict], not_before: dt.datetime | None = None) -> None:
    for spec in specs:
        when = NOW - dt.timedelta(minutes=spec["minutes_ago"])
        if not_before and when < not_before:
            when = not_before + dt.timedelta(minutes=spec["minutes_ago"] % 60)
            when = min(when, NOW)
        purchase = spec["event_name"] == "purchase"
        Event.create(
            app_id=spec["shop"],
            event_name=spec["event_name"],
            created_at=when,
            session_id=spec["session_id"],
            country=spec["country"],
            device_type=spec["device_type"],
            utm_source=spec["utm_source"],
            value=Decimal(spec["cents"]) / 100 if purchase else None,
            currency="EUR" if purchase else None,
        )


class Reference:
    """Figures straight from the stored events of SHOP in a period."""

    def __init__(self, zone: str, first: dt.date, last: dt.date) -> None:
        self.events = []
        for e in Event.select().where(Event.app_id == SHOP).order_by(Event.created_at, Event.id):
            day = localtime.to_local(e.created_at, zone).date()
            if first <= day <= last:
                self.events.append((day, e))

    def per_day_sessions(self, keep=lambda e: True, key=lambda e: "") -> dict:  # type: ignore[no-untyped-def]
        seen: dict = defaultdict(set)
        for day, e in self.events:
            if e.session_id and keep(e):
                seen[(key(e), day)].add(e.session_id)
        out: dict = defaultdict(int)
        for (k, _), sessions in seen.items():
            out[k] += len(sessions)
        return out

    def totals(self) -> dict:
        purchases = [e for _, e in self.events if e.event_name == "purchase"]
        sessions = self.per_day_sessions()[""]
        converted = self.per_day_sessions(lambda e: e.event_name == "purchase")[""]
        return {
            "events": len(self.events),
            "sessions": sessions,
            "purchases": len(purchases),
            "revenue": str(sum((Decimal(str(e.value)) for e in purchases), Decimal("0.00"))),
            "conversion_rate": round(converted / sessions, 4) if sessions else 0.0,
        }

    def breakdown(self, dimension: str) -> dict:
        events: dict = defaultdict(int)
        for _, e in self.events:
            events[getattr(e, dimension) or "(none)"] += 1
        sessions = self.per_day_sessions(key=lambda e: getattr(e, dimension) or "(none)")
        return {k: (n, sessions.get(k, 0)) for k, n in events.items()}

    def funnel(self, steps: list[str], start: dt.datetime, end: dt.datetime) -> list[int]:
        """Sessions that started in [start, end), by the order of their steps' first times."""
        first: dict = {}
        began: dict = {}
        for e in Event.select().where((Event.app_id == SHOP) & Event.session_id.is_null(False)):
            key = (e.session_id, e.event_name)
            first[key] = min(first.get(key, e.created_at), e.created_at)
            began[e.session_id] = min(began.get(e.session_id, e.created_at), e.created_at)
        counts = [0] * len(steps)
        for session, at in began.items():
            if not start <= at < end:
                continue
            reached = at
            for i, step in enumerate(steps):
                when = first.get((session, step))
                if when is None or when < reached:
                    break
                reached = when
                counts[i] += 1
        return counts


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    before=st.lists(event_strategy, max_size=40),
    after=st.lists(event_strategy, max_size=10),
    zone=st.sampled_from(ZONES),
    days=st.integers(1, 9),
    dimension=st.sampled_from(["event_name", "country", "device_type", "utm_source"]),
    steps=st.lists(st.sampled_from(NAMES), min_size=2, max_size=3),
)
def test_reports_equal_raw_computations(db, before, after, zone, days, dimension, steps):
    _reset()
    Shop.create(domain=SHOP, iana_timezone=zone)
    _store(before)
    rollups.run_round(NOW)
    # Arriving after the round: only today's figures can see them, and must.
    today_start, _ = localtime.day_bounds(
        localtime.today(zone, NOW), localtime.today(zone, NOW), zone
    )
    _store(after, not_before=today_start)

    period = last_days(days, zone, NOW)
    ref = Reference(zone, period.first, period.last)

    got = {m: v["value"] for m, v in overview(SHOP, period)["metrics"].items()}
    assert got == ref.totals()

    rows = breakdown(SHOP, period, dimension, limit=500)["rows"]
    assert {r["key"]: (r["events"], r["sessions"]) for r in rows} == ref.breakdown(dimension)

    series = timeseries(SHOP, period)["points"]
    per_day = defaultdict(int)
    for day, _ in ref.events:
        per_day[day.isoformat()] += 1
    assert {p["bucket"]: p["events"] for p in series if p["events"]} == dict(per_day)
    sessions = ref.per_day_sessions(key=lambda e: "")  # summed: compare the totals of days
    assert sum(p["sessions"] for p in series) == sessions.get("", 0)

    # The dashboard reads every figure in one statement: the same figures.
    board = dashboard(SHOP, days, now=NOW)
    assert board["totals"] == {k: got[k] for k in ("events", "sessions", "purchases")}
    assert {p["date"]: p["events"] for p in board["over_time"] if p["events"]} == dict(per_day)
    by_country = ref.breakdown("country")
    for row in board["by_country"]:
        assert row["events"] == by_country[row["key"]][0]

    two_days = last_days(2, zone, NOW)
    hourly = timeseries(SHOP, two_days, "hour")["points"]
    per_hour = defaultdict(int)
    for e in Event.select().where(Event.app_id == SHOP):
        local = localtime.to_local(e.created_at, zone)
        if two_days.first <= local.date() <= two_days.last:
            per_hour[local.replace(minute=0, second=0, microsecond=0).isoformat()] += 1
    assert {p["bucket"]: p["events"] for p in hourly if p["events"]} == dict(per_hour)

    filtered = breakdown(SHOP, period, "device_type", {"country": ["DE"]}, limit=500)["rows"]
    expected = defaultdict(int)
    for _, e in ref.events:
        if e.country == "DE":
            expected[e.device_type] += 1
    assert {r["key"]: r["events"] for r in filtered} == dict(expected)

    rollups.run_round(NOW)  # sessions (funnel, attribution) are the worker's: fold in the rest
    start, end = period.utc_bounds()
    got_funnel = [s["sessions"] for s in funnel(SHOP, period, steps)["steps"]]
    assert got_funnel == ref.funnel(steps, start, end)

    first_seen: dict = {}
    for e in Event.select().where((Event.app_id == SHOP) & Event.session_id.is_null(False)):
        first_seen.setdefault(e.session_id, []).append(e)
    expected_attr: dict = defaultdict(lambda: [0, 0])
    for events in first_seen.values():
        events.sort(key=lambda e: (e.created_at, e.id))
        if not start <= events[0].created_at < end:
            continue
        touched = [e for e in events if e.utm_source]
        source = touched[0].utm_source if touched else "(none)"
        expected_attr[source][0] += 1
        expected_attr[source][1] += sum(1 for e in events if e.event_name == "purchase")
    got_attr = {
        r["utm_source"]: [r["sessions"], r["purchases"]]
        for r in attribution(SHOP, period, limit=500)["rows"]
    }
    assert got_attr == dict(expected_attr)
