"""Reading figures: closed days (or hours) from the rollups, today from raw events.

Every read is scoped by app_id. The rollups are read only for days before the shop's today;
today is computed from `events` with the same definitions the worker uses to build a day
(analytics/cube.py), so a report is right even while the worker is a few seconds behind.
Unfiltered daily figures read today from the worker's rows of today so far plus the events
since (analytics/today.py), exact as well.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from models.analytics import DIMENSIONS
from shopify_app.analytics import cube, dialect, localtime, today
from shopify_app.analytics.period import Period

Filters = dict[str, list[str]]
Grain = str  # "day" or "hour"
_DIMS = ", ".join(DIMENSIONS)


def _bucket_sql(grain: Grain) -> str:
    return dialect.local_day("created_at") if grain == "day" else dialect.local_hour("created_at")


def _raw_cube(grain: Grain) -> str:
    """The cube computed from events, with the rollup tables' column names."""
    p = dialect.param()
    dims = ", ".join(f"COALESCE({d}, '') AS {d}" for d in DIMENSIONS)
    group = ", ".join(str(i) for i in range(1, len(DIMENSIONS) + 2))
    return (
        f"SELECT {_bucket_sql(grain)} AS b, {dims}, COUNT(*) AS events, "
        f"COUNT(DISTINCT session_id) AS sessions, COALESCE(SUM(value), 0) AS value FROM events "
        f"WHERE app_id = {p} AND created_at >= {p} AND created_at < {p} GROUP BY {group}"
    )


def _closed(period: Period) -> tuple[dt.date, dt.date] | None:
    last = min(period.last, period.today - dt.timedelta(days=1))
    return (period.first, last) if period.first <= last else None


def _has_today(period: Period) -> bool:
    return period.first <= period.today <= period.last


def _today_bounds(period: Period) -> tuple[dt.datetime, dt.datetime]:
    return localtime.day_bounds(period.today, period.today, period.zone)


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time())


def cube_source(app_id: str, period: Period, grain: Grain = "day") -> tuple[str, list[Any]]:
    """A FROM-able union of stored rows (days before today) and raw rows (today)."""
    p = dialect.param()
    parts: list[str] = []
    params: list[Any] = []
    closed = _closed(period)
    if closed and grain == "day":
        parts.append(
            f"SELECT day AS b, {_DIMS}, events, sessions, value FROM rollups_daily "
            f"WHERE app_id = {p} AND day >= {p} AND day <= {p}"
        )
        params += [app_id, closed[0], closed[1]]
    elif closed:
        parts.append(
            f"SELECT hour AS b, {_DIMS}, events, sessions, value FROM rollups_hourly "
            f"WHERE app_id = {p} AND hour >= {p} AND hour < {p}"
        )
        params += [app_id, _midnight(closed[0]), _midnight(closed[1] + dt.timedelta(days=1))]
    if _has_today(period):
        start, end = _today_bounds(period)
        parts.append(_raw_cube(grain))
        params += [period.zone, app_id, start, end]
    if not parts:
        parts.append(
            f"SELECT day AS b, {_DIMS}, events, sessions, value FROM rollups_daily WHERE 1 = 0"
        )
    return "(" + " UNION ALL ".join(parts) + ") c", params


def filter_sql(filters: Filters) -> tuple[str, list[Any]]:
    p = dialect.param()
    clauses, params = [], []
    for dimension, values in filters.items():
        if dimension not in DIMENSIONS:  # parse_filters guarantees it; never trust a caller
            raise ValueError(dimension)
        clauses.append(f"{dimension} IN ({', '.join([p] * len(values))})")
        params += values
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def cube_rows(
    app_id: str,
    period: Period,
    group_by: tuple[str, ...],
    filters: Filters | None = None,
    grain: Grain = "day",
) -> list[tuple]:
    """Rows of (*group_by values, events, sessions, value, purchases, purchase value).

    `group_by` holds dimension names and/or "b" (the bucket). `sessions` is a sum over cube
    rows: exact only where each session falls in one row (see `dimension_rows`).
    """
    for column in group_by:
        if column != "b" and column not in DIMENSIONS:
            raise ValueError(column)
    source, params = cube_source(app_id, period, grain)
    where, where_params = filter_sql(filters or {})
    keys = ", ".join(group_by)
    select = (keys + ", ") if keys else ""
    group = (" GROUP BY " + ", ".join(str(i) for i in range(1, len(group_by) + 1))) if keys else ""
    sql = (
        f"SELECT {select}SUM(events), SUM(sessions), SUM(value), "
        f"SUM(CASE WHEN event_name = 'purchase' THEN events ELSE 0 END), "
        f"SUM(CASE WHEN event_name = 'purchase' THEN value ELSE 0 END) "
        f"FROM {source}{where}{group}"
    )
    return dialect.run(sql, params + where_params).fetchall()


Metrics = tuple[int, int, Any, int, Any]  # events, sessions, value, purchases, revenue


def dimension_rows(
    app_id: str, period: Period, dimension: str = "", grain: Grain = "day"
) -> dict[tuple[Any, str], Metrics]:
    """(bucket, key of `dimension`) → metrics, from the small per-dimension rollup (closed
    days) and raw events (today). '' = all events. Sessions are exact per bucket: a session
    active on two days counts on each of them, as a daily figure must."""
    return dimensions_rows(app_id, period, (dimension,), grain)[dimension]


def dimensions_rows(
    app_id: str, period: Period, dimensions: tuple[str, ...], grain: Grain = "day"
) -> dict[str, dict[tuple[Any, str], Metrics]]:
    """`dimension_rows` for several dimensions in one read of today: from the worker's rows of
    today so far plus the events since (analytics/today.py) when it keeps them, else from
    today's raw events, scanned once for every dimension (each scan costs today's size)."""
    named = tuple(d for d in dimensions if d)
    for dimension in named:
        if dimension not in DIMENSIONS:
            raise ValueError(dimension)
    p = dialect.param()
    parts: list[str] = []
    params: list[Any] = []
    closed = _closed(period)
    if closed:
        hi = closed[1] if grain == "day" else closed[1] + dt.timedelta(days=1)
        op = "<=" if grain == "day" else "<"
        marks = ", ".join([p] * len(dimensions))
        parts.append(
            f"SELECT dimension, bucket, key, events, sessions, value, purchases, revenue "
            f"FROM rollups_by_dimension WHERE app_id = {p} AND grain = {p} "
            f"AND dimension IN ({marks}) AND bucket >= {p} AND bucket {op} {p}"
        )
        params += [app_id, grain, *dimensions, _midnight(closed[0]), _midnight(hi)]
    kept_today: list[tuple] = []
    if _has_today(period):
        if grain == "day" and today.has_rows(app_id, period.zone, period.today):
            at = _midnight(period.today)
            kept = today.rows(app_id, period.zone, period.today, dimensions)
            kept_today = [(dimension, at, *rest) for dimension, *rest in kept]
        else:
            start, end = _today_bounds(period)
            bucket = dialect.local_day_start("created_at") if grain == "day" else _bucket_sql(grain)
            overall, *per_dimension = cube.dimension_parts(grain, named, "ev")
            selects = ([overall] if "" in dimensions else []) + per_dimension
            union = " UNION ALL ".join(
                f"SELECT d, b, k, e, s, v, pu, r FROM ({q}) t" for q in selects
            )
            # One CTE read by every SELECT: PostgreSQL materialises it, so today is scanned once.
            parts.append(f"SELECT * FROM (WITH {cube.events_cte(bucket, named)} {union}) x")
            params += [period.zone, app_id, start, end]
    found = dialect.run(" UNION ALL ".join(parts), params).fetchall() if parts else []
    rows: dict[str, dict[tuple[Any, str], Metrics]] = {d: {} for d in dimensions}
    for dimension, bucket, key, *metrics in [*found, *kept_today]:
        stamp = dialect.as_datetime(bucket)
        at = stamp.date() if grain == "day" else stamp
        of_dimension = rows[dimension]
        old = of_dimension.get((at, key), (0, 0, 0, 0, 0))
        of_dimension[(at, key)] = tuple(_add(a, b) for a, b in zip(old, metrics, strict=True))  # type: ignore[assignment]
    return rows


def _add(a: Any, b: Any) -> Any:
    if isinstance(a, (float, str)) or isinstance(b, (float, str)):
        return dialect.as_decimal(a) + dialect.as_decimal(b)
    return (a or 0) + (b or 0)
