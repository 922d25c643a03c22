"""The admin dashboard's figures for one shop over a window of days, straight from `events`.

Every query is scoped by `app_id` and bounded by `created_at`, so it reads the
(app_id, created_at) index range of one shop and window.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from peewee import SQL, Case, Field, fn

from models import Event, db, utcnow
from models.database import is_postgresql

MAX_DAYS = 90
TOP = 10
PURCHASE = "purchase"


class ReportRangeError(ValueError):
    """The requested window is not 1 to MAX_DAYS days."""


def dashboard(app_id: str, days: int = 30, now: dt.datetime | None = None) -> dict[str, Any]:
    if not 1 <= days <= MAX_DAYS:
        raise ReportRangeError(f"days must be between 1 and {MAX_DAYS}")
    now = now or utcnow()
    start = (now - dt.timedelta(days=days - 1)).replace(hour=0, minute=0, second=0, microsecond=0)
    window = (Event.app_id == app_id) & (Event.created_at >= start) & (Event.created_at <= now)
    return {
        "days": days,
        "start": start.date().isoformat(),
        "end": now.date().isoformat(),
        "totals": _totals(window),
        "revenue": _revenue(window),
        "over_time": _over_time(window, start, days),
        "by_name": _top(window, Event.event_name),
        "by_device": _top(window, Event.device_type),
        "by_country": _top(window, Event.country),
        "by_campaign": _top(window, Event.utm_campaign),
    }


def _totals(window: Any) -> dict[str, int]:
    events, sessions, purchases = (
        Event.select(
            fn.COUNT(Event.id),
            fn.COUNT(Event.session_id.distinct()),
            fn.SUM(Case(None, [(Event.event_name == PURCHASE, 1)], 0)),
        )
        .where(window)
        .tuples()
        .get()
    )
    return {"events": events, "sessions": sessions, "purchases": int(purchases or 0)}


def _revenue(window: Any) -> list[dict[str, Any]]:
    rows = (
        Event.select(Event.currency, fn.SUM(Event.value), fn.COUNT(Event.id))
        .where(window & (Event.event_name == PURCHASE) & Event.value.is_null(False))
        .group_by(Event.currency)
        .order_by(fn.SUM(Event.value).desc())
        .tuples()
    )
    return [
        {"currency": currency, "total": str(Decimal(total).quantize(Decimal("0.01"))), "orders": n}
        for currency, total, n in rows
    ]


def _day(column: Field) -> Any:
    # psycopg 3 binds parameters server-side, so 'day' must be literal SQL for the GROUP BY to
    # match the SELECT (see shared/reference/dependencies.md).
    if is_postgresql(db):
        return fn.date_trunc(SQL("'day'"), column)
    return fn.date(column)


def _over_time(window: Any, start: dt.datetime, days: int) -> list[dict[str, Any]]:
    day = _day(Event.created_at)
    counts = {
        _as_date(bucket): n
        for bucket, n in Event.select(day, fn.COUNT(Event.id))
        .where(window)
        .group_by(SQL("1"))
        .tuples()
    }
    dates = [(start + dt.timedelta(days=i)).date() for i in range(days)]
    return [{"date": d.isoformat(), "events": counts.get(d, 0)} for d in dates]


def _as_date(bucket: Any) -> dt.date:
    if isinstance(bucket, dt.datetime):
        return bucket.date()
    if isinstance(bucket, dt.date):
        return bucket
    return dt.date.fromisoformat(str(bucket)[:10])


def _top(window: Any, column: Field) -> list[dict[str, Any]]:
    rows = (
        Event.select(column, fn.COUNT(Event.id))
        .where(window)
        .group_by(column)
        .order_by(fn.COUNT(Event.id).desc(), column)
        .limit(TOP)
        .tuples()
    )
    return [{"key": key if key is not None else "(none)", "events": n} for key, n in rows]
