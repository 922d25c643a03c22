"""Recomputing the rollups from the stored events: `sightline rollup --rebuild`, and one shop's
after its time zone changed.

Per shop in chunks of days, each chunk one transaction, so reports keep reading complete (old
or new) rows while it runs; under the rounds' lock, so no round runs beside it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from models import Event, db, utcnow
from shopify_app.analytics import cube, dialect, localtime, today
from shopify_app.analytics.rollups import (
    REBUILT_NAME,
    ROLLUP_BUCKETS,
    prune_hourly,
    recompute_days,
    round_lock,
    set_watermark,
    shop_zones,
)

REBUILD_CHUNK_DAYS = 31


@dataclass(frozen=True)
class RebuildStep:
    app_id: str
    first: dt.date | None  # None: the shop's sessions
    last: dt.date | None


def rebuild_plan(app_id: str | None = None) -> list[RebuildStep]:
    """Per shop: its sessions, then every chunk of days to recompute."""
    zones = shop_zones()
    steps: list[RebuildStep] = []
    p = dialect.param()
    where = f"WHERE app_id = {p} " if app_id else ""
    rows = dialect.run(
        f"SELECT app_id, MIN(created_at), MAX(created_at) FROM events {where}"
        f"GROUP BY app_id ORDER BY 1",
        (app_id,) if app_id else (),
    ).fetchall()
    for app_id, lo, hi in rows:
        zone = zones.get(app_id, localtime.DEFAULT_ZONE)
        steps.append(RebuildStep(app_id, None, None))  # sessions first: days read them
        first = localtime.to_local(dialect.as_datetime(lo), zone).date()
        last = localtime.to_local(dialect.as_datetime(hi), zone).date()
        while first <= last:
            chunk_end = min(last, first + dt.timedelta(days=REBUILD_CHUNK_DAYS - 1))
            steps.append(RebuildStep(app_id, first, chunk_end))
            first = chunk_end + dt.timedelta(days=1)
    return steps


def rebuild(on_step: Callable[[RebuildStep], None] | None = None) -> int:
    """Recompute every rollup and session from the stored events; returns the steps run.

    The watermark is set first, so events arriving meanwhile are folded in by the next round.
    """
    now = utcnow()
    with round_lock(wait=True):
        top = Event.select(Event.id).order_by(Event.id.desc()).limit(1).scalar() or 0
        zones = shop_zones()
        steps = rebuild_plan()
        for step in steps:
            zone = zones.get(step.app_id, localtime.DEFAULT_ZONE)
            if step.first is None or step.last is None:
                _rebuild_sessions(step.app_id)
            else:
                recompute_days(step.app_id, zone, step.first, step.last, now)
            if on_step:
                on_step(step)
        set_watermark(top)
        set_watermark(top, REBUILT_NAME)
        _remake_today(steps, zones, now, None)
        prune_hourly(now)
    return len(steps)


def _remake_today(
    steps: list[RebuildStep], zones: dict[str, str], now: dt.datetime, app_id: str | None
) -> None:
    """Rows of today so far for the shops (`app_id`'s, or all) whose events reach today: the
    rounds would only make them once new events arrive."""
    today.forget(app_id)
    for step in steps:
        zone = zones.get(step.app_id, localtime.DEFAULT_ZONE)
        day = localtime.today(zone, now)
        if step.first is not None and step.last is not None and step.first <= day <= step.last:
            today.refresh(step.app_id, zone, day, now)


def rebuild_shop(app_id: str) -> None:
    """Recompute one shop's rollups (its time zone changed) for the days it still holds raw
    events of; days already expired by retention keep their rows."""
    now = utcnow()
    zone = shop_zones().get(app_id, localtime.DEFAULT_ZONE)
    with round_lock(wait=True):
        plan = rebuild_plan(app_id)
        days = [step.first for step in plan if step.first is not None]
        if not days:
            return
        p = dialect.param()
        # Rows cut at the old zone's midnights can sit up to two days earlier (zones span
        # UTC-12 to UTC+14): clear from there.
        since = dt.datetime.combine(min(days) - dt.timedelta(days=2), dt.time())
        with db.atomic():
            for table, column in ROLLUP_BUCKETS.items():
                dialect.run(
                    f"DELETE FROM {table} WHERE app_id = {p} AND {column} >= {p}",
                    (app_id, since if column in ("hour", "bucket") else since.date()),
                )
            for step in plan:
                if step.first is None or step.last is None:
                    _rebuild_sessions(step.app_id)
                else:
                    recompute_days(step.app_id, zone, step.first, step.last, now)
            _remake_today(plan, {app_id: zone}, now, app_id)


def _rebuild_sessions(app_id: str) -> None:
    p = dialect.param()
    with db.atomic():
        dialect.run(f"DELETE FROM sessions WHERE app_id = {p}", (app_id,))
        dialect.run(cube.insert_session_rows(""), (app_id,))
        dialect.run(f"DELETE FROM session_events WHERE app_id = {p}", (app_id,))
        dialect.run(cube.insert_session_events(""), (app_id,))
        dialect.run(cube.update_session_paths(""), (app_id, app_id))
