"""The few SQL fragments that differ between PostgreSQL and SQLite, and parameter shaping.

Report SQL is written once with these fragments. Local time: `created_at` holds naive UTC, so
PostgreSQL converts with `AT TIME ZONE 'UTC' AT TIME ZONE <zone>`; SQLite calls `sl_local`
(models/sqlite_functions.py). Grouping is positional (`GROUP BY 1, 2`): psycopg binds
parameters on the server, and an expression with a parameter in SELECT would not match the same
expression in GROUP BY.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from peewee import __exception_wrapper__

from models import db
from models.database import is_postgresql


def pg() -> bool:
    return is_postgresql(db)


def param() -> str:
    return "%s" if pg() else "?"


def local_day(column: str) -> str:
    """The local date of a UTC column; takes one parameter, the zone."""
    if pg():
        return f"CAST(({column} AT TIME ZONE 'UTC') AT TIME ZONE %s AS date)"
    return f"substr(sl_local({column}, ?), 1, 10)"


def local_day_start(column: str) -> str:
    """Local midnight of a UTC column's day, as a timestamp; takes the zone."""
    if pg():
        return f"date_trunc('day', ({column} AT TIME ZONE 'UTC') AT TIME ZONE %s)"
    return f"substr(sl_local({column}, ?), 1, 10) || ' 00:00:00'"


def local_hour(column: str) -> str:
    """Start of the local hour of a UTC column; takes the zone."""
    if pg():
        return f"date_trunc('hour', ({column} AT TIME ZONE 'UTC') AT TIME ZONE %s)"
    return f"substr(sl_local({column}, ?), 1, 13) || ':00:00'"


def url_path(column: str) -> str:
    if pg():
        return (
            f"left(COALESCE(NULLIF(regexp_replace(split_part(split_part({column}, '?', 1), "
            f"'#', 1), '^[a-zA-Z][a-zA-Z0-9+.-]*://[^/]*', ''), ''), '/'), 500)"
        )
    return f"sl_path({column})"


def value(v: Any) -> Any:
    """A Python value as a bind parameter: SQLite gets text for dates (no default adapters)."""
    if pg():
        return v
    if isinstance(v, dt.datetime):
        return v.strftime("%Y-%m-%d %H:%M:%S.%f") if v.microsecond else v.isoformat(" ")
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, Decimal):
        return str(v)
    return v


def run(sql: str, params: list[Any] | tuple[Any, ...] = ()) -> Any:
    values = [value(p) for p in params]
    if not pg():
        return db.execute_sql(sql, values)
    # Never a prepared statement: psycopg prepares a statement on its fifth run, and after five
    # more PostgreSQL may switch it to a generic plan, blind to the shop, the day and the
    # today mark, which made the same report 4x slower from its eleventh run on.
    cursor = db.cursor()
    with __exception_wrapper__:
        cursor.execute(sql, values, prepare=False)
    return cursor


def as_date(v: Any) -> dt.date:
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    return dt.date.fromisoformat(str(v)[:10])


def as_datetime(v: Any) -> dt.datetime:
    if isinstance(v, dt.datetime):
        return v.replace(tzinfo=None)
    if isinstance(v, dt.date):
        return dt.datetime(v.year, v.month, v.day)
    return dt.datetime.fromisoformat(str(v))


def as_decimal(v: Any) -> Decimal:
    return Decimal(str(v or 0)).quantize(Decimal("0.01"))
