"""How report SQL reaches PostgreSQL: never as a prepared statement, never JIT-compiled."""

from __future__ import annotations

import pytest

from shopify_app.analytics import dialect


def test_report_statements_are_never_prepared(db):
    """A prepared statement may get a generic plan, blind to the shop and the day's bounds."""
    if not dialect.pg():
        pytest.skip("prepared statements are PostgreSQL's")
    sql = "SELECT COUNT(*) FROM events WHERE app_id = %s AND created_at >= %s"
    for _ in range(12):  # psycopg prepares on the fifth run of the same statement
        dialect.run(sql, ("shop.myshopify.com", "2026-01-01"))
    (prepared,) = dialect.run(
        "SELECT COUNT(*) FROM pg_prepared_statements WHERE statement LIKE %s",
        ("%FROM events WHERE app_id%",),
    ).fetchone()
    assert prepared == 0


def test_connections_do_not_jit_compile(db):
    if not dialect.pg():
        pytest.skip("JIT is PostgreSQL's")
    assert dialect.run("SHOW jit").fetchone() == ("off",)
