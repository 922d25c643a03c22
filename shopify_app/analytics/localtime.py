"""A shop's days: its IANA zone, and the UTC bounds of its local days and hours."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from models import Shop

DEFAULT_ZONE = "UTC"


@lru_cache(maxsize=256)
def zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or DEFAULT_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_ZONE)


def valid_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
        return True
    except (ZoneInfoNotFoundError, ValueError):
        return False


def shop_zone(app_id: str) -> str:
    """The shop's zone name; UTC when Shopify has not told us (yet)."""
    name = Shop.select(Shop.iana_timezone).where(Shop.domain == app_id).scalar()
    return name if name and valid_zone(name) else DEFAULT_ZONE


def to_utc(local: dt.datetime, zone_name: str) -> dt.datetime:
    """Naive UTC of the first instant the local clock reads `local`.

    Python's default reading (fold 0) is the right one for day and hour bounds: where a DST
    change repeats the wall time (Havana's 01:00 back to 00:00) it is the first pass; where it
    skips it (Santiago's 00:00 forward to 01:00) it is the change itself. Either way a day's
    bounds hold exactly the events whose local date is that day (tested).
    """
    return local.replace(tzinfo=zone(zone_name)).astimezone(dt.UTC).replace(tzinfo=None)


def to_local(utc: dt.datetime, zone_name: str) -> dt.datetime:
    return utc.replace(tzinfo=dt.UTC).astimezone(zone(zone_name)).replace(tzinfo=None)


def day_bounds(first: dt.date, last: dt.date, zone_name: str) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) in naive UTC covering local days first..last inclusive."""
    start = to_utc(dt.datetime.combine(first, dt.time()), zone_name)
    end = to_utc(dt.datetime.combine(last + dt.timedelta(days=1), dt.time()), zone_name)
    return start, end


def today(zone_name: str, now: dt.datetime) -> dt.date:
    return to_local(now, zone_name).date()
