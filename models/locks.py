"""A per-shop write lock, for rules no unique index can express (a cap on how many rows a shop has).

Count-then-insert is a race under READ COMMITTED: two transactions both count 99, both insert, and
the shop holds 101. A conditional `INSERT ... SELECT ... WHERE (SELECT count(*) ...) < cap` does not
help either: each statement still sees only the rows committed when it began. So the writers of
one shop take turns:

- PostgreSQL: a transaction-scoped advisory lock on (scope, shop). Unlike `SELECT ... FOR UPDATE`
  on the shop's row it needs no row to exist (rows keyed by `app_id` have no foreign key to
  `shops`), and it is released by the commit or rollback itself. The two-key form never meets the
  one-key locks used elsewhere (analytics rollups).
- SQLite: `BEGIN IMMEDIATE` takes the database's write lock before the first read, so the count
  and the insert happen with no other writer in between (others wait up to busy_timeout).
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from contextlib import contextmanager

from models.database import db, is_postgresql


def _scope_key(scope: str) -> int:
    """A stable int4 for the scope's name (the first key of the advisory lock)."""
    return zlib.crc32(scope.encode()) - 2**31


@contextmanager
def shop_write_lock(app_id: str, scope: str) -> Iterator[None]:
    """One transaction at a time per (scope, shop) runs the block; commits when it ends."""
    if is_postgresql(db):
        with db.atomic():
            db.execute_sql(
                "SELECT pg_advisory_xact_lock(%s, hashtext(%s))", (_scope_key(scope), app_id)
            )
            yield
        return
    if db.transaction_depth():
        # Inside a transaction that may have read already, BEGIN IMMEDIATE cannot be issued and a
        # later write could fail with SQLITE_BUSY: callers start the lock's transaction.
        raise RuntimeError("shop_write_lock must open the transaction on SQLite")
    with db.atomic(lock_type="IMMEDIATE"):
        yield
