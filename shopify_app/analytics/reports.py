"""The report figures for one shop: dashboard, overview, time series, breakdowns, pages,
attribution. Services with plain inputs (app_id, Period, filters); no Flask here.

Figures come from the rollups for closed days and from raw events for today (analytics/query.py).
Sessions are exact per day (a session active on two days counts on both) whenever no filter
is set; with a filter they are summed over rollup rows, an upper bound, and the reply says
`"sessions_exact": false`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from models import CustomEvent, utcnow
from models.analytics import DIMENSIONS
from shopify_app.analytics import cube, dialect, localtime, query, today
from shopify_app.analytics.period import (
    MAX_DAYS,
    NONE_LABEL,
    Period,
    ReportInputError,
    ReportRangeError,
    last_days,
)
from shopify_app.analytics.query import Filters

__all__ = [
    "MAX_DAYS",
    "ReportInputError",
    "ReportRangeError",
    "attribution",
    "breakdown",
    "dashboard",
    "overview",
    "pages",
    "timeseries",
]

TOP = 10
PURCHASE = "purchase"
BUILT_IN_LABELS = {
    "page_view": "Page view",
    "click": "Click",
    "pixel_seen": "Other Meta pixel seen",
    "purchase": "Purchase",
    "add_to_cart": "Add to cart",
    "checkout_started": "Checkout started",
}
DIMENSION_LABELS = {
    "event_name": "Event",
    "source": "Source",
    "device_type": "Device",
    "browser": "Browser",
    "country": "Country",
    "utm_source": "UTM source",
    "utm_medium": "UTM medium",
    "utm_campaign": "UTM campaign",
    "page_type": "Page type",
    "currency": "Currency",
}


def money(v: Any) -> str:
    return str(dialect.as_decimal(v))


def event_labels(app_id: str) -> dict[str, str]:
    """Machine name → the merchant's display name (built-in names get readable ones)."""
    labels = dict(BUILT_IN_LABELS)
    rows = CustomEvent.select(CustomEvent.name, CustomEvent.display_name).where(
        CustomEvent.app_id == app_id
    )
    labels.update({name: display for name, display in rows.tuples()})
    return labels


def _key(value: str) -> str:
    return value if value else NONE_LABEL


Metrics = tuple[int, int, Any, int, Any]  # events, sessions, value, purchases, revenue
ZERO: Metrics = (0, 0, 0, 0, 0)


def _grouped(
    app_id: str,
    period: Period,
    dimension: str,
    filters: Filters,
    grain: str = "day",
    by_bucket: bool = False,
) -> dict[Any, Metrics]:
    """Metrics per key of `dimension` ('' = one total), or per bucket.

    Unfiltered reads the small per-dimension rollup (sessions exact per bucket); a filter needs
    the wide cube, whose sessions are summed over its rows.
    """
    if not filters:
        return _fold(query.dimension_rows(app_id, period, dimension, grain), by_bucket)
    pairs: list[tuple[Any, Metrics]] = []
    group = ("b",) if by_bucket else ((dimension,) if dimension else ())
    for row in query.cube_rows(app_id, period, group, filters, grain):
        keyed = row[0] if group else ""
        if by_bucket:
            stamp = dialect.as_datetime(keyed)
            keyed = stamp.date() if grain == "day" else stamp
        events, sessions, value, purchases, revenue = row[-5:]
        pairs.append((keyed, (events, sessions, value, purchases, revenue)))
    return _summed(pairs)


def _fold(rows: dict[tuple[Any, str], Metrics], by_bucket: bool = False) -> dict[Any, Metrics]:
    """`dimension_rows`' (bucket, key) rows summed per key, or per bucket."""
    return _summed([((bucket if by_bucket else key), m) for (bucket, key), m in rows.items()])


def _summed(pairs: list[tuple[Any, Metrics]]) -> dict[Any, Metrics]:
    out: dict[Any, Metrics] = {}
    for key, metrics in pairs:
        old = out.get(key, ZERO)
        out[key] = tuple(query._add(x, y) for x, y in zip(old, metrics, strict=True))  # type: ignore[assignment]
    return out


def _totals(app_id: str, period: Period, filters: Filters) -> dict[str, Any]:
    total = _grouped(app_id, period, "", filters).get("", ZERO)
    if filters:
        bought = _grouped(app_id, period, "", {**filters, "event_name": [PURCHASE]})
        converted = int(bought.get("", ZERO)[1] or 0)
    else:
        converted = int(_grouped(app_id, period, "event_name", {}).get(PURCHASE, ZERO)[1] or 0)
    return _totals_of(total, converted)


def _totals_of(total: Metrics, converted: int) -> dict[str, Any]:
    events, sessions, _value, purchases, revenue = total
    sessions = int(sessions or 0)
    return {
        "events": int(events or 0),
        "sessions": sessions,
        "purchases": int(purchases or 0),
        "revenue": money(revenue),
        "converted_sessions": converted,
        "conversion_rate": round(converted / sessions, 4) if sessions else 0.0,
    }


def overview(app_id: str, period: Period, filters: Filters | None = None) -> dict[str, Any]:
    """Events, sessions, purchases, revenue and conversion rate, each beside the previous
    period's value."""
    filters = filters or {}
    current = _totals(app_id, period, filters)
    previous = _totals(app_id, period.previous(), filters)
    metrics = ("events", "sessions", "purchases", "revenue", "conversion_rate")
    return {
        **_period_reply(period),
        "previous": {
            "start": period.previous().first.isoformat(),
            "end": period.previous().last.isoformat(),
        },
        "sessions_exact": not filters,
        "metrics": {m: {"value": current[m], "previous": previous[m]} for m in metrics},
    }


def _period_reply(period: Period) -> dict[str, Any]:
    return {
        "start": period.first.isoformat(),
        "end": period.last.isoformat(),
        "days": period.days,
        "timezone": period.zone,
    }


def _hours(period: Period) -> list[dt.datetime]:
    start = dt.datetime.combine(period.first, dt.time())
    return [start + dt.timedelta(hours=h) for h in range(24 * period.days)]


def timeseries(
    app_id: str, period: Period, interval: str = "day", filters: Filters | None = None
) -> dict[str, Any]:
    """Events, sessions, purchases and revenue per local day or hour (hours: last 2 days)."""
    filters = filters or {}
    if interval not in ("day", "hour"):
        raise ReportInputError("interval must be day or hour")
    if interval == "hour" and (
        period.first < period.today - dt.timedelta(days=1) or period.days > 2
    ):
        raise ReportInputError("hourly figures cover yesterday and today only")
    by_bucket = _grouped(app_id, period, "", filters, grain=interval, by_bucket=True)
    buckets = period.dates() if interval == "day" else _hours(period)
    return {
        **_period_reply(period),
        "interval": interval,
        "sessions_exact": not filters,
        "points": _points(by_bucket, buckets),
    }


def _points(by_bucket: dict[Any, Metrics], buckets: list[Any]) -> list[dict[str, Any]]:
    points = []
    for bucket in buckets:
        events, sessions, _value, purchases, revenue = by_bucket.get(bucket, ZERO)
        points.append(
            {
                "bucket": bucket.isoformat(),
                "events": int(events or 0),
                "sessions": int(sessions or 0),
                "purchases": int(purchases or 0),
                "revenue": money(revenue),
            }
        )
    return points


def breakdown(
    app_id: str,
    period: Period,
    dimension: str,
    filters: Filters | None = None,
    limit: int = 50,
) -> dict[str, Any]:
    """Rows per value of `dimension`, most events first."""
    filters = filters or {}
    grouped = _grouped(app_id, period, dimension, filters)
    labels = event_labels(app_id) if dimension == "event_name" else {}
    out = []
    for key, (events, sessions, _value, purchases, revenue) in grouped.items():
        out.append(
            {
                "key": _key(key),
                "label": labels.get(key, _key(key)),
                "events": int(events or 0),
                "sessions": int(sessions or 0),
                "purchases": int(purchases or 0),
                "revenue": money(revenue),
            }
        )
    out.sort(key=lambda r: (-r["events"], r["key"]))
    return {
        **_period_reply(period),
        "dimension": dimension,
        "dimension_label": DIMENSION_LABELS[dimension],
        "filters": {d: [_key(v) for v in vs] for d, vs in filters.items()},
        "sessions_exact": not filters,
        "rows": out[:limit],
    }


def pages(app_id: str, period: Period, limit: int = 20) -> dict[str, Any]:
    """Most viewed URL paths (page_view events), with their sessions per day summed: closed
    days from `rollup_pages`, today from the worker's rows of today so far (or raw events)."""
    p = dialect.param()
    parts, params = [], []
    closed = query._closed(period)
    kept = query._has_today(period) and today.has_rows(app_id, period.zone, period.today)
    if closed:
        parts.append(
            f"SELECT path, views, sessions FROM rollup_pages "
            f"WHERE app_id = {p} AND day >= {p} AND day <= {p}"
        )
        params += [app_id, closed[0], closed[1]]
    if query._has_today(period) and not kept:
        start, end = query._today_bounds(period)
        parts.append(
            "SELECT path, views, sessions FROM ("
            + cube.pages_select(dialect.local_day("created_at"))
            + ") t"
        )
        params += [period.zone, app_id, start, end]
    totals: dict[str, tuple[int, int]] = {}
    if parts:
        # Every path when today's rows are added below; else the database keeps the top ones.
        top = "" if kept else f" ORDER BY 2 DESC, 1 LIMIT {int(limit)}"
        sql = f"SELECT path, SUM(views), SUM(sessions) FROM ({' UNION ALL '.join(parts)}) u "
        for path, views, sessions in dialect.run(sql + "GROUP BY 1" + top, params).fetchall():
            totals[path] = (int(views), int(sessions))
    if kept:
        for _d, path, views, sessions, *_ in today.rows(
            app_id, period.zone, period.today, (today.PAGE_PATH,)
        ):
            if path:  # '' holds the events that are not page views
                old_views, old_sessions = totals.get(path, (0, 0))
                totals[path] = (old_views + int(views), old_sessions + int(sessions))
    ranked = sorted(totals.items(), key=lambda item: (-item[1][0], item[0]))[:limit]
    return {
        **_period_reply(period),
        "rows": [{"path": path, "views": v, "sessions": s} for path, (v, s) in ranked],
    }


def attribution(app_id: str, period: Period, limit: int = 50) -> dict[str, Any]:
    """First-touch source / medium / campaign of sessions that started in the period →
    sessions, purchases, revenue: closed days from `rollup_attribution`, today from `sessions`
    (both kept by the worker)."""
    p = dialect.param()
    parts, params = [], []
    closed = query._closed(period)
    columns = "utm_source, utm_medium, utm_campaign, sessions, purchases, converted, revenue"
    if closed:
        parts.append(
            f"SELECT {columns} FROM rollup_attribution "
            f"WHERE app_id = {p} AND day >= {p} AND day <= {p}"
        )
        params += [app_id, closed[0], closed[1]]
    if query._has_today(period):
        start, end = query._today_bounds(period)
        _, today = cube.session_day_selects(dialect.local_day("first_seen"))
        parts.append(f"SELECT {columns} FROM ({today}) t")
        params += [period.zone, app_id, start, end]
    rows: list[tuple] = []
    if parts:
        rows = dialect.run(
            "SELECT utm_source, utm_medium, utm_campaign, SUM(sessions), SUM(purchases), "
            f"SUM(converted), SUM(revenue) FROM ({' UNION ALL '.join(parts)}) u "
            f"GROUP BY 1, 2, 3 ORDER BY 4 DESC, 1, 2, 3 LIMIT {int(limit)}",
            params,
        ).fetchall()
    return {
        **_period_reply(period),
        "model": "first_touch",
        "rows": [
            {
                "utm_source": _key(source),
                "utm_medium": _key(medium),
                "utm_campaign": _key(campaign),
                "sessions": int(sessions),
                "purchases": int(purchases or 0),
                "converted_sessions": int(converted or 0),
                "revenue": money(revenue),
                "conversion_rate": round(int(converted or 0) / int(sessions), 4),
            }
            for source, medium, campaign, sessions, purchases, converted, revenue in rows
        ],
    }


def dashboard(app_id: str, days: int = 30, now: dt.datetime | None = None) -> dict[str, Any]:
    """The first dashboard reply (totals, revenue per currency, per day, top lists)."""
    period = last_days(days, localtime.shop_zone(app_id), now or utcnow())
    # Every figure below in one read (today's raw events scanned once, not once per figure).
    rows = query.dimensions_rows(app_id, period, ("", "event_name", "currency", *TOP_DIMENSIONS))
    by_name = _fold(rows["event_name"])
    totals = _totals_of(_fold(rows[""]).get("", ZERO), int(by_name.get(PURCHASE, ZERO)[1] or 0))
    by_currency = _fold(rows["currency"])
    series = _points(_fold(rows[""], by_bucket=True), period.dates())
    return {
        "days": days,
        "start": period.first.isoformat(),
        "end": period.last.isoformat(),
        "timezone": period.zone,
        "totals": {k: totals[k] for k in ("events", "sessions", "purchases")},
        "revenue": [
            {"currency": currency or None, "total": money(revenue), "orders": int(purchases)}
            for currency, (_e, _s, _v, purchases, revenue) in sorted(
                by_currency.items(), key=lambda item: -dialect.as_decimal(item[1][4])
            )
            if purchases
        ],
        "over_time": [{"date": p["bucket"], "events": p["events"]} for p in series],
        "by_name": _top(by_name),
        **{
            f"by_{name}": _top(_fold(rows[dimension]))
            for name, dimension in zip(TOP_NAMES, TOP_DIMENSIONS, strict=True)
        },
    }


# The dashboard's top lists beside by_name: reply key suffix, dimension.
TOP_NAMES = ("device", "country", "campaign")
TOP_DIMENSIONS = ("device_type", "country", "utm_campaign")


def _top(grouped: dict[Any, Metrics]) -> list[dict[str, Any]]:
    rows = sorted(grouped.items(), key=lambda r: (-r[1][0], r[0]))
    return [{"key": _key(key), "events": int(metrics[0])} for key, metrics in rows[:TOP]]


def dimensions() -> list[dict[str, str]]:
    return [{"name": d, "label": DIMENSION_LABELS[d]} for d in DIMENSIONS]
