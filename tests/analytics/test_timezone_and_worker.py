"""The shop's zone comes from Shopify (devstore answers `shop { ianaTimezone }`), the worker's
rollup duty reads it and rebuilds the shop's days; `sightline rollup --rebuild` from a shell."""

from __future__ import annotations

import datetime as dt
import threading

import requests

from models import Event, RollupDaily, Shop, utcnow
from shopify_app.analytics import rollups
from shopify_app.analytics.duty import rollup_round, start_rollup_thread
from tests.install.conftest import SHOP, launch
from tests.test_cli import run_cli


def set_zone(live, zone: str) -> None:  # type: ignore[no-untyped-def]
    url = f"{live.devstore_url}/_devstore/shops/{SHOP}/timezone"
    assert requests.post(url, json={"ianaTimezone": zone}, timeout=5).status_code == 200


def test_the_duty_reads_the_zone_and_recuts_the_shops_days(live):
    set_zone(live, "Asia/Tokyo")
    assert launch(live).status_code == 200
    at = utcnow().replace(hour=16, minute=0) - dt.timedelta(days=3)  # 01:00 next day in Tokyo
    Event.create(app_id=SHOP, event_name="page_view", created_at=at, session_id="s")
    with live.app.app_context():
        rollups.run_round()  # zone unknown yet: cut at UTC midnight
    assert [r.day for r in RollupDaily.select()] == [at.date()]

    report = rollup_round(live.app)

    assert "time zones read: 1" in report
    assert Shop.get(Shop.domain == SHOP).iana_timezone == "Asia/Tokyo"
    assert [r.day for r in RollupDaily.select()] == [at.date() + dt.timedelta(days=1)]


def test_an_unknown_zone_from_shopify_is_not_stored(live):
    set_zone(live, "Mars/Olympus_Mons")
    assert launch(live).status_code == 200
    assert "time zones read: 0" in rollup_round(live.app)
    assert Shop.get(Shop.domain == SHOP).iana_timezone is None


def test_the_worker_thread_folds_new_events_in_within_seconds(live):
    assert launch(live).status_code == 200
    yesterday = utcnow() - dt.timedelta(days=1)  # a closed day: rolled up at once
    Event.create(app_id=SHOP, event_name="page_view", session_id="s", created_at=yesterday)
    stop = threading.Event()
    thread = start_rollup_thread(live.app, stop, interval=0.2)
    try:
        deadline = dt.datetime.now() + dt.timedelta(seconds=20)
        while not RollupDaily.select().exists() and dt.datetime.now() < deadline:
            stop.wait(0.1)
    finally:
        stop.set()
        thread.join(timeout=10)
    assert RollupDaily.select().count() == 1


def test_rollup_rebuild_from_the_command_line(tmp_path, database_url, db):
    Event.create(app_id=SHOP, event_name="page_view", session_id="s")
    Event.create(app_id=SHOP, event_name="purchase", session_id="s", value="3.00", currency="EUR")
    env = {
        "DATABASE_URL": database_url,
        "TOKEN_ENCRYPTION_KEY": "dGVzdC1vbmx5LWtleS1mb3Itc2lnaHRsaW5lLXRlc3Q=",
    }
    result = run_cli("rollup", "--rebuild", env=env, cwd=str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "rebuilding rollups" in result.stdout + result.stderr
    assert "rebuilt rollups: 2 steps over 1 shop(s)" in result.stdout
    assert sum(r.events for r in RollupDaily.select()) == 2
