"""Today so far (analytics/today.py): the worker's rows of today plus the events after them give
exactly what today's raw events give, and the worker redoes the rows when it should."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from models import Event, RollupToday, RollupTodayRow, Shop, utcnow
from models.analytics import DIMENSIONS
from shopify_app.analytics import localtime, query, rebuild, rollups, today
from shopify_app.analytics.period import last_days
from shopify_app.analytics.reports import dashboard, pages

SHOP = "today-shop.myshopify.com"
ZONE = "America/New_York"
NOW = dt.datetime(2026, 11, 25, 22, 30)  # 17:30 in New York
ALL = ("", *DIMENSIONS)
EAGER = today.TodayPolicy(min_tail=1, fraction=0, min_interval=dt.timedelta(0))


def _event(minutes_ago: float, session: str | None, **columns) -> Event:  # type: ignore[no-untyped-def]
    return Event.create(
        app_id=SHOP,
        event_name=columns.pop("event_name", "page_view"),
        created_at=NOW - dt.timedelta(minutes=minutes_ago),
        session_id=session,
        **columns,
    )


def _purchase(minutes_ago: float, session: str, cents: int, **columns) -> Event:  # type: ignore[no-untyped-def]
    return _event(
        minutes_ago,
        session,
        event_name="purchase",
        value=Decimal(cents) / 100,
        currency="EUR",
        **columns,
    )


def _morning() -> None:
    """Events of today before the round, and one of yesterday."""
    _event(60 * 20, "old", country="DE")  # yesterday in New York
    _event(300, "s1", country="DE", device_type="mobile", utm_source="facebook")
    _event(290, "s1", country="DE", device_type="mobile")
    _event(280, "s2", country="FR", device_type="desktop")
    _purchase(270, "s2", 1999, country="FR")
    _event(260, None, country="US")


def _afternoon() -> None:
    """Events stored after the round: old sessions with new keys and old keys, a new session,
    a purchase stamped with an earlier time of today, an event without a session."""
    _event(20, "s1", country="FR", device_type="mobile")  # s1 now also in FR
    _event(15, "s2", country="FR", device_type="desktop")  # nothing new for s2
    _event(10, "s3", country="DE", device_type="tablet", utm_source="google")
    _purchase(400, "s3", 500, country="DE")  # the order was placed this morning
    _event(5, None, country="DE")


def _figures() -> dict:
    period = last_days(1, ZONE, NOW)
    return query.dimensions_rows(SHOP, period, ALL)


def _raw_figures() -> dict:
    """The same read with the rows forgotten: today from raw events only."""
    kept = list(RollupToday.select().dicts()), list(RollupTodayRow.select().dicts())
    today.forget(SHOP)
    try:
        return _figures()
    finally:
        RollupToday.insert_many(kept[0]).execute()
        RollupTodayRow.insert_many(kept[1]).execute()


def _start(db) -> None:  # type: ignore[no-untyped-def]
    Shop.create(domain=SHOP, iana_timezone=ZONE)
    _morning()
    rollups.run_round(NOW)


def test_rows_plus_later_events_equal_raw_events(db):
    _start(db)
    mark = RollupToday.get(RollupToday.app_id == SHOP)
    assert mark.events == 5 and mark.day == localtime.today(ZONE, NOW)
    _afternoon()
    period = last_days(1, ZONE, NOW)
    assert today.has_rows(SHOP, ZONE, period.today)

    got = _figures()
    assert got == _raw_figures()
    day = period.today
    assert got["country"][(day, "FR")][:2] == (4, 2)  # s1 counted once more, s2 not again
    assert got["country"][(day, "DE")][:2] == (5, 2)  # s1 (morning) and s3
    assert got[""][(day, "")][:2] == (10, 3)
    assert got["event_name"][(day, "purchase")][3:] == (2, Decimal("24.99"))


def test_the_dashboard_reads_the_rows(db):
    _start(db)
    _afternoon()
    kept = dashboard(SHOP, 7, now=NOW)
    RollupTodayRow.update(events=RollupTodayRow.events + 100).where(
        RollupTodayRow.dimension == ""
    ).execute()
    assert dashboard(SHOP, 7, now=NOW)["totals"]["events"] == 111  # read from the rows
    today.forget(SHOP)
    assert dashboard(SHOP, 7, now=NOW) == kept
    assert kept["totals"] == {"events": 11, "sessions": 4, "purchases": 2}


def test_top_pages_read_the_rows(db):
    Shop.create(domain=SHOP, iana_timezone=ZONE)
    shop_url = "https://today-shop.example"
    _event(300, "s1", url=f"{shop_url}/products/a?variant=1")
    _event(290, "s1", url=f"{shop_url}/products/b")
    _event(280, "s2", url=f"{shop_url}/products/a", event_name="click")  # not a page view
    _event(60 * 20, "s0", url=f"{shop_url}/products/a")  # yesterday
    rollups.run_round(NOW)
    _event(10, "s1", url=f"{shop_url}/products/a")  # s1 already counted on /products/a
    _event(5, "s3", url=f"{shop_url}/products/a#reviews")
    _event(4, "s3", url=f"{shop_url}/")
    period = last_days(2, ZONE, NOW)
    assert today.has_rows(SHOP, ZONE, period.today)
    kept = pages(SHOP, period)["rows"]
    stored = RollupTodayRow.update(events=RollupTodayRow.events + 100).where(
        (RollupTodayRow.dimension == today.PAGE_PATH) & (RollupTodayRow.key == "/products/b")
    )
    assert stored.execute() == 1
    assert pages(SHOP, period)["rows"][0] == {"path": "/products/b", "views": 101, "sessions": 1}
    today.forget(SHOP)  # read raw: the same figures as the rows gave
    assert pages(SHOP, period)["rows"] == kept
    assert kept == [
        {"path": "/products/a", "views": 4, "sessions": 3},  # s0 yesterday; s1, s3 today
        {"path": "/", "views": 1, "sessions": 1},
        {"path": "/products/b", "views": 1, "sessions": 1},
    ]


def test_an_event_committed_late_below_the_mark_is_found_by_the_next_round(db):
    Shop.create(domain=SHOP, iana_timezone=ZONE)
    hole = _event(250, "s9", country="DE")  # its id will be taken by a "late commit"
    hole_id = hole.id
    _morning()
    hole.delete_instance()  # a gap below later ids (SQLite would reuse the highest id)
    rollups.run_round(NOW)
    assert RollupToday.get().last_event_id > hole_id
    # A transaction that took its id before the round commits only now.
    Event.create(id=hole_id, app_id=SHOP, event_name="page_view", created_at=NOW, session_id="s9")
    assert _figures()[""][(last_days(1, ZONE, NOW).today, "")][0] == 5  # not seen yet

    assert rollups.run_round(NOW).today == 1
    got = _figures()
    assert got[""][(last_days(1, ZONE, NOW).today, "")][:2] == (6, 3)
    assert got == _raw_figures()


def test_rows_are_redone_when_the_tail_is_large_or_old(db):
    _start(db)
    policy = today.TodayPolicy(
        min_tail=3, fraction=0, min_interval=dt.timedelta(0), max_age=dt.timedelta(minutes=30)
    )
    first = RollupToday.get().last_event_id
    _event(3, "s5")
    assert rollups.run_round(NOW, today_policy=policy).today == 0
    assert RollupToday.get().tail_events == 1
    _event(2, "s5")
    _event(1, "s5")
    assert rollups.run_round(NOW, today_policy=policy).today == 1
    assert RollupToday.get().last_event_id > first
    assert RollupToday.get().tail_events == 0

    _event(0, "s6")
    later = NOW + dt.timedelta(minutes=31)
    assert rollups.run_round(later, today_policy=policy).today == 1  # old enough

    assert rollups.run_round(later, today_policy=policy).today == 0  # nothing new


def test_yesterdays_rows_are_dropped_and_never_read(db):
    _start(db)
    tomorrow = NOW + dt.timedelta(days=1)
    period = last_days(1, ZONE, tomorrow)
    assert not today.has_rows(SHOP, ZONE, period.today)
    rollups.run_round(tomorrow, today_policy=EAGER)
    assert not RollupToday.select().exists() and not RollupTodayRow.select().exists()


def test_rows_of_another_zone_are_not_read(db):
    _start(db)
    assert not today.has_rows(SHOP, "Asia/Tokyo", localtime.today(ZONE, NOW))


def test_a_rebuild_makes_the_rows_of_today(db):
    Shop.create(domain=SHOP, iana_timezone="UTC")  # today is the real clock's: keep it simple
    now = utcnow()
    for minutes in (0, 1, 2):
        Event.create(
            app_id=SHOP,
            event_name="page_view",
            created_at=max(now - dt.timedelta(minutes=minutes), now.replace(hour=0, minute=0)),
            session_id="s1",
        )
    rebuild.rebuild()
    mark = RollupToday.get(RollupToday.app_id == SHOP)
    assert (mark.events, mark.zone) == (3, "UTC")
