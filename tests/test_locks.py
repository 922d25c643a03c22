"""models.locks: one shop's writers take turns; other shops' do not wait; the block is one
transaction. (The race it exists for is raced over HTTP in tests/admin/test_limits.py.)"""

from __future__ import annotations

import threading

import pytest

from models import CustomEvent
from models.locks import _scope_key, shop_write_lock
from tests.conftest import is_postgresql

SHOP_A = "shop-a.myshopify.com"
SHOP_B = "shop-b.myshopify.com"


def _add(name: str) -> None:
    CustomEvent.create(app_id=SHOP_A, name=name, display_name=name, event_type="load")


def test_the_block_commits_together_or_not_at_all(db):
    with shop_write_lock(SHOP_A, "test"):
        _add("kept")
    with pytest.raises(ValueError), shop_write_lock(SHOP_A, "test"):
        _add("rolled_back")
        raise ValueError("a check failed after the insert")
    assert [e.name for e in CustomEvent.select()] == ["kept"]


def test_on_sqlite_the_lock_must_open_the_transaction(db):
    if is_postgresql(db):
        pytest.skip("SQLite only: BEGIN IMMEDIATE cannot be issued inside a transaction")
    nested = pytest.raises(RuntimeError, match="must open the transaction")
    with db.atomic(), nested, shop_write_lock(SHOP_A, "test"):
        pass


def test_on_postgresql_the_lock_is_per_shop_and_per_scope(db):
    if not is_postgresql(db):
        pytest.skip("SQLite has one write lock for the whole database")
    held, done = threading.Event(), threading.Event()
    failures: list[BaseException] = []

    def hold() -> None:
        try:
            with shop_write_lock(SHOP_A, "test"):
                held.set()
                done.wait(timeout=30)
        except BaseException as exc:  # reported to the test's thread
            failures.append(exc)
            held.set()
        finally:
            db.close()

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert held.wait(timeout=30) and not failures

        def free(scope: str, shop: str) -> bool:
            with db.atomic():
                cursor = db.execute_sql(
                    "SELECT pg_try_advisory_xact_lock(%s, hashtext(%s))", (_scope_key(scope), shop)
                )
                return bool(cursor.fetchone()[0])

        assert not free("test", SHOP_A)  # taken: a second writer of shop A would wait
        assert free("test", SHOP_B)
        assert free("other", SHOP_A)
    finally:
        done.set()
        holder.join(timeout=30)
    assert not failures
