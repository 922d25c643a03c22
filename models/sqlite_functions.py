"""SQL functions SQLite lacks and the report queries need, registered on every SQLite database.

PostgreSQL does the same work natively (`AT TIME ZONE`, `regexp_replace`); these keep one
query shape for both backends.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from peewee import SqliteDatabase


@lru_cache(maxsize=64)
def _zone(name: str) -> dt.tzinfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return dt.UTC


def sl_local(utc_text: str | None, zone: str) -> str | None:
    """'YYYY-MM-DD HH:MM:SS' in `zone` for a naive-UTC timestamp as peewee stores it."""
    if utc_text is None:
        return None
    moment = dt.datetime.fromisoformat(str(utc_text)).replace(tzinfo=dt.UTC)
    return moment.astimezone(_zone(zone)).strftime("%Y-%m-%d %H:%M:%S")


def sl_path(url: str | None) -> str | None:
    """The path of a URL (no scheme, host, query or fragment), at most 500 characters."""
    if url is None:
        return None
    return (urlsplit(url).path or "/")[:500]


class SessionPath:
    """Aggregate (event_name, first_at) → "name\trank\n..." in time order, tied times sharing
    a rank (PostgreSQL builds the same with DENSE_RANK and string_agg)."""

    def __init__(self) -> None:
        self.steps: list[tuple[str, str]] = []

    def step(self, name: str, first_at: str) -> None:
        self.steps.append((str(first_at), name))

    def finalize(self) -> str:
        times = sorted({at for at, _ in self.steps})
        rank = {at: i + 1 for i, at in enumerate(times)}
        return "\n".join(f"{name}\t{rank[at]}" for at, name in sorted(self.steps))


def register(database: SqliteDatabase) -> None:
    database.register_function(sl_local, "sl_local", 2, deterministic=True)
    database.register_function(sl_path, "sl_path", 1, deterministic=True)
    database.register_aggregate(SessionPath, "sl_session_path", 2)
