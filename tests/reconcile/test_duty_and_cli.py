"""The worker reconciles each shop's yesterday once its morning has come, and repairs on its
own; `sightline reconcile` does the same for a given day from a shell."""

from __future__ import annotations

import datetime as dt

from models import ReconciliationDay, Shop, utcnow
from shopify_app.reconcile.duty import due_day, reconcile_mornings
from shopify_app.worker import run_round
from tests.conftest import TEST_API_KEY, TEST_API_SECRET, TEST_ENCRYPTION_KEY
from tests.reconcile.conftest import SHOP, purchases_of
from tests.test_cli import run_cli


def installed_days_ago(days: int) -> None:
    Shop.update(installed_at=utcnow() - dt.timedelta(days=days)).where(
        Shop.domain == SHOP
    ).execute()


def test_the_worker_repairs_yesterday_in_the_shops_morning(store, live):
    installed_days_ago(3)
    yesterday_noon = (utcnow() - dt.timedelta(days=1)).replace(hour=12, minute=0)
    kept = store.order(created_at=yesterday_noon.isoformat() + "Z")
    left = store.order(webhook=False, created_at=yesterday_noon.isoformat() + "Z")
    store.order(webhook=False)  # today's: not the worker's business until tomorrow
    morning = utcnow().replace(hour=7, minute=0, second=0, microsecond=0)

    with live.app.app_context():
        night = reconcile_mornings(morning.replace(hour=5))
        first = reconcile_mornings(morning)
        second = reconcile_mornings(morning + dt.timedelta(minutes=5))

    assert night.days_checked == 0  # before the shop's morning
    assert (first.days_checked, first.orders_repaired) == (1, 1)
    assert second.days_checked == 0  # checked once the day was over: done
    assert purchases_of(kept) == 1 and purchases_of(left) == 1
    row = ReconciliationDay.get(ReconciliationDay.app_id == SHOP)
    assert str(row.day) == yesterday_noon.date().isoformat()
    assert (row.orders, row.recorded, row.missing, row.repaired) == (2, 2, [], 1)


def test_the_morning_follows_the_shops_time_zone(store, live):
    installed_days_ago(3)
    Shop.update(iana_timezone="Asia/Tokyo").where(Shop.domain == SHOP).execute()
    utc_2200 = utcnow().replace(hour=22, minute=0, second=0, microsecond=0)  # 07:00 in Tokyo
    with live.app.app_context():
        assert due_day(SHOP, utc_2200) == utc_2200.date()  # Tokyo's yesterday is UTC's today
        assert due_day(SHOP, utc_2200.replace(hour=20)) is None  # 05:00 in Tokyo


def test_an_incomplete_morning_is_tried_again_later_not_every_round(store, live):
    installed_days_ago(3)
    store.faults(*[{"kind": "http", "status": 503, "retry_after": 0}] * 4)
    morning = utcnow().replace(hour=8, minute=0, second=0, microsecond=0)
    with live.app.app_context():
        assert reconcile_mornings(morning).days_incomplete == 1
        assert ReconciliationDay.get().complete is False
        assert reconcile_mornings(morning + dt.timedelta(minutes=1)).days_checked == 0
        later = reconcile_mornings(morning + dt.timedelta(hours=1))
    assert later.days_checked == 1 and later.days_incomplete == 0


def test_a_worker_round_reports_its_reconciliation(store, live):
    report = run_round(live.app)
    assert "reconciliation: 0 day(s) checked, 0 order(s) repaired" in str(report)


def test_reconcile_from_the_command_line(store, live, tmp_path, database_url):
    left = store.order(webhook=False)
    env = {
        "DATABASE_URL": database_url,
        "TOKEN_ENCRYPTION_KEY": TEST_ENCRYPTION_KEY,
        "SHOPIFY_API_KEY": TEST_API_KEY,
        "SHOPIFY_API_SECRET": TEST_API_SECRET,
        "SHOPIFY_ADMIN_URL_TEMPLATE": f"{live.devstore_url}/{{shop}}",
        "APP_URL": live.app_url,
    }
    today = utcnow().date().isoformat()

    check = run_cli("reconcile", "--date", today, env=env, cwd=str(tmp_path))
    assert check.returncode == 1, check.stderr  # an order is missing
    assert "orders 1, recorded 0" in check.stdout and left in check.stdout

    fixed = run_cli("reconcile", "--date", today, "--repair", env=env, cwd=str(tmp_path))
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert "orders 1, recorded 1" in fixed.stdout and "repaired 1" in fixed.stdout
    assert purchases_of(left) == 1

    future = run_cli("reconcile", "--date", "2999-01-01", env=env, cwd=str(tmp_path))
    assert future.returncode == 1 and "future" in future.stdout
