"""What bench/webhooks.py reads back from the database (SQLite or PostgreSQL): when deliveries
were processed, and whether every order has exactly one purchase."""

from __future__ import annotations

import datetime as dt
import sqlite3
import subprocess
import time
from typing import Any

import psycopg

from bench.servers import SIGHTLINE


def query(database_url: str, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if database_url.startswith("sqlite"):
        conn = sqlite3.connect(database_url[len("sqlite:///") :], timeout=30)
        try:
            return conn.execute(sql.replace("%s", "?"), params).fetchall()
        finally:
            conn.close()
    with psycopg.connect(database_url) as conn:
        return conn.execute(sql, params).fetchall()


def wait_processed(database_url: str, timeout: float = 600) -> float:
    """Seconds until no delivery is left unprocessed (polled every 50 ms)."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        pending = query(
            database_url,
            "SELECT COUNT(*) FROM webhook_deliveries WHERE status IN ('received', 'failed')",
        )[0][0]
        if not pending:
            return time.monotonic() - started
        time.sleep(0.05)
    raise RuntimeError("deliveries still unprocessed")


def processing_delays(database_url: str, webhook_ids: list[str]) -> list[float]:
    """Per delivery: ms from its acknowledgement (received_at) to its purchase (processed_at)."""
    delays = []
    for start in range(0, len(webhook_ids), 500):
        chunk = webhook_ids[start : start + 500]
        marks = ",".join(["%s"] * len(chunk))
        rows = query(
            database_url,
            "SELECT received_at, processed_at FROM webhook_deliveries "
            f"WHERE webhook_id IN ({marks})",
            tuple(chunk),
        )
        for received, processed in rows:
            if isinstance(received, str):  # SQLite
                received, processed = _parse(received), _parse(processed)
            delays.append((processed - received).total_seconds() * 1000)
    return delays


def _parse(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value)


COUNTS = (
    "SELECT (SELECT COUNT(*) FROM events), "
    "(SELECT COUNT(*) FROM webhook_deliveries WHERE status != 'processed')"
)


def check(database_url: str, env: dict[str, str], orders: int) -> str:
    """Exactly one purchase per order and every delivery processed, read from the database;
    deliveries whose processing failed are first given to `sightline webhooks-retry`."""
    purchases, unprocessed = query(database_url, COUNTS)[0]
    note = ""
    if unprocessed:
        subprocess.run([SIGHTLINE, "webhooks-retry"], env=env, check=True, capture_output=True)
        note = f" ({unprocessed} failed to process at first, e.g. SQLite busy; webhooks-retry)"
        purchases, unprocessed = query(database_url, COUNTS)[0]
    if purchases != orders or unprocessed:
        raise RuntimeError(f"{purchases} purchases for {orders} orders, {unprocessed} failed")
    return f"{purchases} purchases for {orders} orders, all deliveries processed{note}"
