"""Event retention: raw events older than `EVENT_RETENTION_DAYS` go once the rollups hold them.

The worker expires them at the end of a rollup round, under the round's lock, so every day it
deletes has been folded into the day rollups first; reports of those days keep working from
the rollups. Per-session rows (`sessions`, `session_events`) of sessions last seen before the
cutoff go too: they name landing pages and click ids.

PostgreSQL (`events` partitioned by month, models/partitions.py): a month whose every possible
row is older than the cutoff, and whose rows are all folded in (id <= watermark), is detached
and dropped whole with its deliveries and keys. What is left, the cutoff's own month and the
default partition, goes row by row as on SQLite, in batches by id.
"""

from __future__ import annotations

import datetime as dt
import logging

from peewee import OperationalError

from models import db, partitions
from models.event_rows import delete_events
from shopify_app.analytics import dialect

log = logging.getLogger(__name__)

MIN_DAYS = 7  # Meta takes events up to 7 days old; today and yesterday are read raw
BATCH = 10_000


def expire(days: int, now: dt.datetime, watermark: int) -> int:
    """Delete events older than `days` days (and folded in: id <= watermark); returns how many."""
    if days <= 0:
        return 0
    cutoff = now - dt.timedelta(days=days)
    deleted = drop_months(cutoff, watermark) if dialect.pg() else 0
    deleted += _delete_rows(cutoff, watermark)
    _forget_sessions(cutoff)
    return deleted


def keep_partitions_ahead(now: dt.datetime) -> list[str]:
    """PostgreSQL: this month's and the next months' partitions exist before their first
    event (the worker's duty, never a request's); returns the ones created."""
    try:
        return partitions.ensure_ahead(db, now)
    except OperationalError as exc:  # lock_timeout: tried again next round
        log.warning("events partitions not created this round (%s)", exc)
        return []


def drop_months(cutoff: dt.datetime, watermark: int) -> int:
    """Detach and drop the partitions entirely older than `cutoff`; returns the events dropped.
    A partition that cannot be detached now (a long reader holds the table, a row not yet
    folded in) waits for a later round."""
    for partition in partitions.expired_months(db, cutoff):
        try:
            name = partitions.detach(db, partition, watermark)
        except OperationalError as exc:  # lock_timeout: readers held events too long
            log.info("retention: %s not detached this round (%s)", partition.name, exc)
            continue
        if name is None:
            log.info("retention: %s has events not yet in the rollups", partition.name)
    # Also the ones a round that stopped half-way left behind.
    return sum(partitions.drop_detached(db, name) for name in partitions.detached(db))


def _delete_rows(cutoff: dt.datetime, watermark: int) -> int:
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
            return deleted
        with db.atomic():
            deleted += delete_events(ids).events


def _forget_sessions(cutoff: dt.datetime) -> None:
    p = dialect.param()
    with db.atomic():
        dialect.run(
            f"DELETE FROM session_events WHERE last_at < {p} AND session_id IN "
            f"(SELECT session_id FROM sessions WHERE last_seen < {p} "
            f"AND sessions.app_id = session_events.app_id)",
            (cutoff, cutoff),
        )
        dialect.run(f"DELETE FROM sessions WHERE last_seen < {p}", (cutoff,))
