"""Event retention: raw events older than `EVENT_RETENTION_DAYS` go once the rollups hold them.

The worker expires them at the end of a rollup round, under the round's lock, so every day it
deletes has been folded into the day rollups first; reports of those days keep working from
the rollups. Per-session rows (`sessions`, `session_events`) of sessions last seen before the
cutoff go too: they name landing pages and click ids. `events` is a plain table on both
backends here, so rows go in batches by id (PostgreSQL partitions, which would let this drop a
month at once, are not in place yet).
"""

from __future__ import annotations

import datetime as dt

from models import db
from shopify_app.analytics import dialect

MIN_DAYS = 7  # Meta takes events up to 7 days old; today and yesterday are read raw
BATCH = 10_000
DELETE_CHUNK = 500  # ids per DELETE (SQLite's bound-variable limit)


def expire(days: int, now: dt.datetime, watermark: int) -> int:
    """Delete events older than `days` days (and folded in: id <= watermark); returns how many."""
    if days <= 0:
        return 0
    cutoff = now - dt.timedelta(days=days)
    p = dialect.param()
    deleted = 0
    while True:
        ids = [
            pk
            for (pk,) in dialect.run(
                f"SELECT id FROM events WHERE created_at < {p} AND id <= {p} "
                f"ORDER BY id LIMIT {BATCH}",
                (cutoff, watermark),
            ).fetchall()
        ]
        if not ids:
            break
        with db.atomic():
            for i in range(0, len(ids), DELETE_CHUNK):
                chunk = ids[i : i + DELETE_CHUNK]
                marks = ", ".join([p] * len(chunk))
                dialect.run(f"DELETE FROM events WHERE id IN ({marks})", chunk)
        deleted += len(ids)
    with db.atomic():
        dialect.run(
            f"DELETE FROM session_events WHERE last_at < {p} AND session_id IN "
            f"(SELECT session_id FROM sessions WHERE last_seen < {p} "
            f"AND sessions.app_id = session_events.app_id)",
            (cutoff, cutoff),
        )
        dialect.run(f"DELETE FROM sessions WHERE last_seen < {p}", (cutoff,))
    return deleted
