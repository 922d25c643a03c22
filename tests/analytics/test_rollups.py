"""The rollup duty: incremental, idempotent, exact per day in the shop's zone; rebuild agrees."""

from __future__ import annotations

import datetime as dt

import pytest

from models import Event, RollupDaily, RollupDimension, RollupState, Session, Shop, open_database
from shopify_app.analytics import rebuild, rollups
from tests.conftest import is_postgresql

NOW = dt.datetime(2026, 11, 25, 12, 0)
SHOP = "shop-a.myshopify.com"


def add(when: dt.datetime, name: str = "page_view", **columns: object) -> Event:
    return Event.create(app_id=SHOP, event_name=name, created_at=when, **columns)


def daily() -> dict[tuple[str, str], tuple[int, int]]:
    return {
        (str(r.day), r.event_name): (r.events, r.sessions)
        for r in RollupDaily.select().where(RollupDaily.app_id == SHOP)
    }


def day_sessions() -> dict[str, int]:
    rows = RollupDimension.select().where(
        (RollupDimension.grain == "day") & (RollupDimension.dimension == "")
    )
    return {str(r.bucket)[:10]: r.sessions for r in rows}


def test_a_round_folds_new_events_into_days_and_sessions(db):
    add(NOW - dt.timedelta(hours=1), session_id="s1", utm_source="fb", url="https://x/p?a=1")
    add(NOW - dt.timedelta(hours=1), session_id="s1", utm_source="fb")
    add(NOW - dt.timedelta(hours=2), "purchase", session_id="s1", value="9.50", currency="EUR")
    add(NOW - dt.timedelta(days=1), session_id="s2")
    result = rollups.run_round(NOW)
    assert result.events == 4 and not result.skipped
    # Yesterday is rolled up; today waits until it closes (reports read it raw), but its
    # sessions are current at once.
    assert daily() == {("2026-11-24", "page_view"): (1, 1)}
    session = Session.get(Session.session_id == "s1")
    assert (session.converted, session.purchases, session.utm_source) == (True, 1, "fb")
    assert session.landing_page is None  # the first event (the purchase, 10:00) had no URL
    assert RollupState.get(RollupState.name == "events").last_event_id == Event.select().count()

    rollups.run_round(NOW + dt.timedelta(days=1))  # the 25th has closed
    assert daily() == {
        ("2026-11-25", "page_view"): (2, 1),
        ("2026-11-25", "purchase"): (1, 1),
        ("2026-11-24", "page_view"): (1, 1),
    }
    assert day_sessions() == {"2026-11-25": 1, "2026-11-24": 1}


def test_rounds_are_idempotent_and_pick_up_late_events_for_closed_days(db):
    add(NOW - dt.timedelta(days=3), session_id="s1")
    rollups.run_round(NOW)
    before = daily()
    assert rollups.run_round(NOW).events == 0
    assert daily() == before
    add(NOW - dt.timedelta(days=3), session_id="s2")  # a late arrival for a closed day
    rollups.run_round(NOW)
    assert daily() == {("2026-11-22", "page_view"): (2, 2)}


def test_days_are_the_shops_local_days(db):
    Shop.create(domain=SHOP, iana_timezone="Asia/Tokyo")  # UTC+9
    add(dt.datetime(2026, 11, 24, 16, 0), session_id="s1")  # 25 Nov 01:00 in Tokyo
    add(dt.datetime(2026, 11, 24, 14, 0), session_id="s1")  # 24 Nov 23:00 in Tokyo
    rollups.run_round(NOW + dt.timedelta(days=1))
    assert daily() == {("2026-11-25", "page_view"): (1, 1), ("2026-11-24", "page_view"): (1, 1)}


def test_rebuild_recomputes_everything_the_rounds_would(db):
    for i in range(30):
        add(NOW - dt.timedelta(hours=7 * i), session_id=f"s{i % 4}", country="DE")
    rollups.run_round(NOW + dt.timedelta(days=1))  # every day closed
    expected = (daily(), day_sessions(), Session.select().count())
    RollupDaily.delete().execute()
    RollupDimension.delete().execute()
    Session.delete().execute()
    steps: list[rebuild.RebuildStep] = []
    rebuild.rebuild(steps.append)
    assert (daily(), day_sessions(), Session.select().count()) == expected
    assert steps and steps[0].first is None  # the shop's sessions first: days read them


def test_hourly_rows_cover_only_the_last_48_hours(db):
    from models import RollupHourly

    add(NOW - dt.timedelta(hours=14), session_id="s1")  # yesterday 22:00
    add(NOW - dt.timedelta(days=5), session_id="s1")
    rollups.run_round(NOW)
    hours = [r.hour for r in RollupHourly.select()]
    assert [str(h)[:13] for h in hours] == ["2026-11-24 22"]


def test_erasing_a_customer_removes_their_session_rows(db):
    from models import SessionEvent
    from webhooks.customer_data import erase

    add(NOW - dt.timedelta(hours=1), "purchase", session_id="s1", order_id="1001")
    add(NOW - dt.timedelta(hours=2), session_id="s1", url="https://x/secret-landing")
    add(NOW - dt.timedelta(hours=2), session_id="s2")
    rollups.run_round(NOW)
    erase(SHOP, None, ["1001"])
    assert [s.session_id for s in Session.select()] == ["s2"]
    assert {e.session_id for e in SessionEvent.select()} == {"s2"}


def test_a_second_worker_skips_the_round_while_one_holds_the_lock(db, database_url):
    if not is_postgresql(db):
        pytest.skip("the cross-process lock is PostgreSQL's advisory lock")
    add(NOW - dt.timedelta(days=2), session_id="s1")
    other = open_database(database_url, pooled=False)
    other.connect()
    try:
        other.execute_sql("SELECT pg_advisory_lock(%s)", (rollups.ADVISORY_LOCK_KEY,))
        assert rollups.run_round(NOW).skipped
        assert daily() == {}
        other.execute_sql("SELECT pg_advisory_unlock(%s)", (rollups.ADVISORY_LOCK_KEY,))
        assert not rollups.run_round(NOW).skipped
        assert daily() == {("2026-11-23", "page_view"): (1, 1)}
    finally:
        other.close()


@pytest.mark.parametrize(
    ("zone", "when"),
    [
        # Santiago 2026-04-05: 00:00 (UTC-3) goes back to 23:00 (UTC-4) of the 4th.
        ("America/Santiago", dt.datetime(2026, 4, 5, 3, 30)),
        # Santiago 2026-09-06: 00:00 (UTC-4) jumps to 01:00 (UTC-3).
        ("America/Santiago", dt.datetime(2026, 9, 6, 3, 30)),
        # Havana 2026-11-01: 01:00 (UTC-4) goes back to 00:00 (UTC-5): midnight comes twice.
        ("America/Havana", dt.datetime(2026, 11, 1, 4, 30)),
    ],
)
def test_midnight_dst_changes_keep_each_event_in_its_local_day(db, zone, when):
    from shopify_app.analytics.localtime import to_local

    Shop.create(domain=SHOP, iana_timezone=zone)
    moments = [when + dt.timedelta(minutes=m) for m in (-300, -45, 0, 45, 90, 300)]
    for at in moments:
        add(at, session_id="s1")
    rollups.run_round(when + dt.timedelta(days=10))
    expected: dict[tuple[str, str], tuple[int, int]] = {}
    for at in moments:
        key = (to_local(at, zone).date().isoformat(), "page_view")
        expected[key] = (expected.get(key, (0, 1))[0] + 1, 1)
    assert daily() == expected


def test_retention_expires_old_raw_events_and_keeps_their_figures(db):
    from models import SessionEvent
    from shopify_app.analytics.period import last_days
    from shopify_app.analytics.reports import overview

    add(NOW - dt.timedelta(days=20), session_id="old", url="https://x/landing")
    add(NOW - dt.timedelta(days=20), "purchase", session_id="old", value="5.00", currency="EUR")
    add(NOW - dt.timedelta(days=2), session_id="recent")

    result = rollups.run_round(NOW, retention_days=7)

    assert result.expired == 2
    assert [e.session_id for e in Event.select()] == ["recent"]
    assert [s.session_id for s in Session.select()] == ["recent"]
    assert {e.session_id for e in SessionEvent.select()} == {"recent"}
    metrics = overview(SHOP, last_days(30, "UTC", NOW))["metrics"]
    assert (metrics["events"]["value"], metrics["revenue"]["value"]) == (3, "5.00")


def test_retention_never_deletes_what_the_rollups_do_not_hold_yet(db):
    add(NOW - dt.timedelta(days=20), session_id="old")
    rollups.set_watermark(0)  # as if the rounds had not reached it
    assert rollups.retention.expire(7, NOW, watermark=0) == 0
    assert Event.select().count() == 1
