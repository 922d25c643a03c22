"""Keeping the rollups current: a worker duty folds in new events every few seconds.

Design:
- Incremental by event id: each round reads the ids above its watermark (`rollup_state`), finds
  which shop-days, and which sessions, those events touch, recomputes those sessions, and marks
  those days dirty; every dirty day that has closed in the shop's zone is then recomputed from
  the raw events (delete + insert in one transaction). Today waits until it closes: reports
  read it from the rows of today so far plus the events since (today.py, redone only when
  enough has arrived), so a round costs what arrived, not the size of today.
  Recomputing a whole day instead of adding to it keeps distinct-session counts exact and makes
  every round idempotent: running it twice, or two workers running it, changes nothing.
- Ids are assigned before commit, so a slow transaction can commit an id below the watermark.
  Each round therefore re-reads the last OVERLAP_IDS ids below the watermark as well.
- One round at a time: a PostgreSQL advisory lock (another worker skips the round); SQLite
  serialises writers itself, and rounds are idempotent.
- The round also keeps events' monthly partitions ahead (PostgreSQL, models/partitions.py)
  and ends with retention (retention.py), both under its lock.
- `rebuild.rebuild()` recomputes everything from the stored events (`sightline rollup
  --rebuild`).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from models import Event, RollupDirtyDay, RollupState, Shop, db, utcnow
from models.analytics import DIMENSIONS
from shopify_app.analytics import cube, dialect, localtime, retention, today

log = logging.getLogger(__name__)

STATE_NAME = "events"
REBUILT_NAME = "rebuilt"  # ids up to here were read by a rebuild: no look-back below them
ADVISORY_LOCK_KEY = 0x53_49_47_48_54_52  # "SIGHTR": rollup rounds, one at a time
OVERLAP_IDS = 5_000
SCAN_BATCH = 200_000
SESSION_BATCH = 500
HOURLY_HOURS = 48
ROLLUP_BUCKETS = {  # rollup table -> its bucket column
    "rollups_daily": "day",
    "rollups_hourly": "hour",
    "rollups_by_dimension": "bucket",
    "rollup_pages": "day",
    "rollup_paths": "day",
    "rollup_attribution": "day",
}
_local_lock = threading.Lock()  # SQLite: one round per process at a time


@dataclass
class RoundResult:
    events: int = 0
    days: int = 0
    sessions: int = 0
    expired: int = 0
    today: int = 0  # shops whose rows of today so far were redone
    partitions: list[str] = field(default_factory=list)  # events' months created this round
    skipped: bool = False

    def __str__(self) -> str:
        if self.skipped:
            return "rollups: another worker holds the lock"
        expired = f", {self.expired} old events expired" if self.expired else ""
        made = f", partitions created: {', '.join(self.partitions)}" if self.partitions else ""
        return (
            f"rollups: {self.events} new events, {self.days} shop-days, {self.sessions} "
            f"sessions and {self.today} shops' today so far recomputed{expired}{made}"
        )


@contextmanager
def round_lock(wait: bool) -> Iterator[bool]:
    if not dialect.pg():
        acquired = _local_lock.acquire(blocking=wait)
        try:
            yield acquired
        finally:
            if acquired:
                _local_lock.release()
        return
    fn = "pg_advisory_lock" if wait else "pg_try_advisory_lock"
    row = db.execute_sql(f"SELECT {fn}(%s)", (ADVISORY_LOCK_KEY,)).fetchone()
    acquired = wait or bool(row[0])
    try:
        yield acquired
    finally:
        if acquired:
            db.execute_sql("SELECT pg_advisory_unlock(%s)", (ADVISORY_LOCK_KEY,))


def shop_zones() -> dict[str, str]:
    rows = Shop.select(Shop.domain, Shop.iana_timezone).tuples()
    return {d: z for d, z in rows if z and localtime.valid_zone(z)}


def _watermark(name: str = STATE_NAME) -> int:
    state = RollupState.get_or_none(RollupState.name == name)
    return state.last_event_id if state else 0


def set_watermark(last_id: int, name: str = STATE_NAME) -> None:
    updated = (
        RollupState.update(last_event_id=last_id, updated_at=utcnow())
        .where(RollupState.name == name)
        .execute()
    )
    if not updated:
        RollupState.insert(name=name, last_event_id=last_id, updated_at=utcnow()).on_conflict(
            conflict_target=[RollupState.name],
            update={RollupState.last_event_id: last_id, RollupState.updated_at: utcnow()},
        ).execute()


def recompute_days(app_id: str, zone: str, first: dt.date, last: dt.date, now: dt.datetime) -> None:
    """Replace the shop's daily (and, within the last 48 h, hourly) rows for local days
    first..last with rows computed from its events."""
    start, end = localtime.day_bounds(first, last, zone)
    p = dialect.param()
    with db.atomic():
        dialect.run(
            f"DELETE FROM rollups_daily WHERE app_id = {p} AND day >= {p} AND day <= {p}",
            (app_id, first, last),
        )
        dialect.run(
            f"DELETE FROM rollup_pages WHERE app_id = {p} AND day >= {p} AND day <= {p}",
            (app_id, first, last),
        )
        dialect.run(
            f"DELETE FROM rollups_by_dimension WHERE app_id = {p} AND grain = 'day' "
            f"AND bucket >= {p} AND bucket <= {p}",
            (app_id, dt.datetime.combine(first, dt.time()), dt.datetime.combine(last, dt.time())),
        )
        args = (zone, app_id, start, end)
        dialect.run(cube.insert_cube("rollups_daily", "day", dialect.local_day("created_at")), args)
        dialect.run(
            cube.insert_dimensions("day", dialect.local_day_start("created_at"), DIMENSIONS),
            args,
        )
        dialect.run(cube.insert_pages(), args)
        for table in ("rollup_paths", "rollup_attribution"):
            dialect.run(
                f"DELETE FROM {table} WHERE app_id = {p} AND day >= {p} AND day <= {p}",
                (app_id, first, last),
            )
        paths, attribution = cube.session_day_selects(dialect.local_day("first_seen"))
        dialect.run(f"INSERT INTO rollup_paths (app_id, day, path, sessions) {paths}", args)
        dialect.run(
            "INSERT INTO rollup_attribution (app_id, day, utm_source, utm_medium, utm_campaign, "
            f"sessions, purchases, converted, revenue) {attribution}",
            args,
        )
        _recompute_hours(app_id, zone, start, end, now)


def hourly_cutoff(zone: str, now: dt.datetime) -> dt.datetime:
    """UTC start of the oldest local hour kept hourly."""
    local = localtime.to_local(now, zone) - dt.timedelta(hours=HOURLY_HOURS)
    return localtime.to_utc(local.replace(minute=0, second=0, microsecond=0), zone)


def _recompute_hours(
    app_id: str, zone: str, start: dt.datetime, end: dt.datetime, now: dt.datetime
) -> None:
    start = max(start, hourly_cutoff(zone, now))
    if start >= end:
        return
    p = dialect.param()
    lo, hi = localtime.to_local(start, zone), localtime.to_local(end, zone)
    dialect.run(
        f"DELETE FROM rollups_hourly WHERE app_id = {p} AND hour >= {p} AND hour < {p}",
        (app_id, lo, hi),
    )
    dialect.run(
        f"DELETE FROM rollups_by_dimension WHERE app_id = {p} AND grain = 'hour' "
        f"AND bucket >= {p} AND bucket < {p}",
        (app_id, lo, hi),
    )
    args = (zone, app_id, start, end)
    dialect.run(cube.insert_cube("rollups_hourly", "hour", dialect.local_hour("created_at")), args)
    dialect.run(cube.insert_dimensions("hour", dialect.local_hour("created_at"), ()), args)


def prune_hourly(now: dt.datetime) -> None:
    """Hourly rows older than every zone's 48 h window (UTC-12 to UTC+14) are dropped."""
    cutoff = now - dt.timedelta(hours=HOURLY_HOURS + 16)
    p = dialect.param()
    dialect.run(f"DELETE FROM rollups_hourly WHERE hour < {p}", (cutoff,))
    dialect.run(
        f"DELETE FROM rollups_by_dimension WHERE grain = 'hour' AND bucket < {p}", (cutoff,)
    )


def recompute_sessions(app_id: str, session_ids: list[str]) -> None:
    """Replace the `sessions` and `session_events` rows of these sessions with rows computed
    from their events."""
    p = dialect.param()
    for i in range(0, len(session_ids), SESSION_BATCH):
        batch = session_ids[i : i + SESSION_BATCH]
        marks = ", ".join([p] * len(batch))
        with db.atomic():
            dialect.run(
                f"DELETE FROM sessions WHERE app_id = {p} AND session_id IN ({marks})",
                (app_id, *batch),
            )
            dialect.run(cube.insert_session_rows(f"AND session_id IN ({marks})"), (app_id, *batch))
            dialect.run(
                f"DELETE FROM session_events WHERE app_id = {p} AND session_id IN ({marks})",
                (app_id, *batch),
            )
            dialect.run(
                cube.insert_session_events(f"AND session_id IN ({marks})"), (app_id, *batch)
            )
            dialect.run(
                cube.update_session_paths(f"AND session_id IN ({marks})"),
                (app_id, *batch, app_id),
            )


def forget_sessions(app_id: str, session_ids: list[str]) -> None:
    """Delete these sessions' per-session rows (a customer's data is erased). Day rollups hold
    only counts and keep them."""
    p = dialect.param()
    for i in range(0, len(session_ids), SESSION_BATCH):
        batch = session_ids[i : i + SESSION_BATCH]
        marks = ", ".join([p] * len(batch))
        for table in ("sessions", "session_events"):
            dialect.run(
                f"DELETE FROM {table} WHERE app_id = {p} AND session_id IN ({marks})",
                (app_id, *batch),
            )


def _first_days(app_id: str, session_ids: list[str], zones: dict[str, str]) -> set[dt.date]:
    """Local days on which these sessions started."""
    zone = zones.get(app_id, localtime.DEFAULT_ZONE)
    p = dialect.param()
    days: set[dt.date] = set()
    for i in range(0, len(session_ids), SESSION_BATCH):
        batch = session_ids[i : i + SESSION_BATCH]
        marks = ", ".join([p] * len(batch))
        rows = dialect.run(
            f"SELECT DISTINCT first_seen FROM sessions WHERE app_id = {p} "
            f"AND session_id IN ({marks})",
            (app_id, *batch),
        ).fetchall()
        days |= {localtime.to_local(dialect.as_datetime(at), zone).date() for (at,) in rows}
    return days


def _utc_date_sql() -> str:
    return "CAST(created_at AS date)" if dialect.pg() else "substr(created_at, 1, 10)"


def _touched(lo: int, hi: int, zones: dict[str, str]) -> tuple[dict, dict]:
    """Shop → local days, and shop → session ids, of the events with lo < id <= hi."""
    p = dialect.param()
    days: dict[str, set[dt.date]] = defaultdict(set)
    rows = dialect.run(
        f"SELECT DISTINCT app_id, {_utc_date_sql()} FROM events WHERE id > {p} AND id <= {p}",
        (lo, hi),
    ).fetchall()
    for app_id, utc_day in rows:
        zone = zones.get(app_id, localtime.DEFAULT_ZONE)
        midnight = dt.datetime.combine(dialect.as_date(utc_day), dt.time())
        days[app_id].add(localtime.to_local(midnight, zone).date())
        days[app_id].add(
            localtime.to_local(midnight + dt.timedelta(days=1, seconds=-1), zone).date()
        )
    sessions: dict[str, set[str]] = defaultdict(set)
    rows = dialect.run(
        f"SELECT DISTINCT app_id, session_id FROM events WHERE id > {p} AND id <= {p} "
        f"AND session_id IS NOT NULL",
        (lo, hi),
    ).fetchall()
    for app_id, session_id in rows:
        sessions[app_id].add(session_id)
    return days, sessions


def run_round(
    now: dt.datetime | None = None,
    retention_days: int = 0,
    today_policy: today.TodayPolicy = today.DEFAULT_POLICY,
) -> RoundResult:
    """Fold every event above the watermark into the rollups (one worker at a time), then
    expire raw events older than `retention_days` (0: keep them)."""
    now = now or utcnow()
    with round_lock(wait=False) as acquired:
        if not acquired:
            return RoundResult(skipped=True)
        result = _catch_up(now, today_policy)
        if dialect.pg():
            result.partitions = retention.keep_partitions_ahead(now)
        result.expired = retention.expire(retention_days, now, _watermark())
        return result


def _catch_up(now: dt.datetime, today_policy: today.TodayPolicy) -> RoundResult:
    result = RoundResult()
    top = Event.select(Event.id).order_by(Event.id.desc()).limit(1).scalar() or 0
    mark = _watermark()
    zones = shop_zones()
    lo = max(0, mark - OVERLAP_IDS, min(mark, _watermark(REBUILT_NAME)))
    overlap_from = lo
    grown = today.arrivals(mark, top) if top > mark else {}
    if top > mark:
        while lo < top:
            hi = min(top, lo + SCAN_BATCH)
            days, sessions = _touched(lo, hi, zones)
            # Sessions first: a day's paths and attribution are read from its sessions, and
            # a session that began on an earlier day changes that day's rows.
            for app_id, ids in sessions.items():
                recompute_sessions(app_id, sorted(ids))
                result.sessions += len(ids)
                days[app_id] |= _first_days(app_id, sorted(ids), zones)
            _mark_dirty(days)
            set_watermark(hi)
            lo = hi
        result.events = top - mark
    result.days = _recompute_closed_dirty_days(zones, now)
    result.today = today.keep_current(zones, grown, overlap_from, now, today_policy)
    prune_hourly(now)
    return result


def _mark_dirty(days: dict[str, set[dt.date]]) -> None:
    rows = [{"app_id": a, "day": d} for a, ds in days.items() for d in ds]
    for i in range(0, len(rows), 200):
        RollupDirtyDay.insert_many(rows[i : i + 200]).on_conflict_ignore().execute()


def _recompute_closed_dirty_days(zones: dict[str, str], now: dt.datetime) -> int:
    """Recompute every dirty day that has closed in its shop's zone; today waits."""
    done = 0
    for row in list(RollupDirtyDay.select().order_by(RollupDirtyDay.app_id, RollupDirtyDay.day)):
        zone = zones.get(row.app_id, localtime.DEFAULT_ZONE)
        day = dialect.as_date(row.day)
        if day >= localtime.today(zone, now):
            continue
        recompute_days(row.app_id, zone, day, day, now)
        RollupDirtyDay.delete().where(
            (RollupDirtyDay.app_id == row.app_id) & (RollupDirtyDay.day == row.day)
        ).execute()
        done += 1
    return done
