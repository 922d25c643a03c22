"""Report inputs: the period (local days of the shop), its previous period, and filters.

Parsing lives here so the API and the admin page reject the same inputs with the same words.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from models.analytics import DIMENSIONS
from shopify_app.analytics import localtime

MAX_DAYS = 366
DEFAULT_DAYS = 30
NONE_LABEL = "(none)"


class ReportInputError(ValueError):
    """A report parameter is malformed or out of range (answered with 422)."""


# Kept for callers of the first dashboard API.
ReportRangeError = ReportInputError


@dataclass(frozen=True)
class Period:
    first: dt.date
    last: dt.date
    zone: str
    today: dt.date  # the shop's current local date
    now: dt.datetime  # naive UTC

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def previous(self) -> Period:
        span = dt.timedelta(days=self.days)
        return Period(
            self.first - span, self.first - dt.timedelta(days=1), self.zone, self.today, self.now
        )

    def dates(self) -> list[dt.date]:
        return [self.first + dt.timedelta(days=i) for i in range(self.days)]

    def utc_bounds(self) -> tuple[dt.datetime, dt.datetime]:
        return localtime.day_bounds(self.first, self.last, self.zone)


def last_days(days: int, zone: str, now: dt.datetime) -> Period:
    if not 1 <= days <= MAX_DAYS:
        raise ReportInputError(f"days must be between 1 and {MAX_DAYS}")
    today = localtime.today(zone, now)
    return Period(today - dt.timedelta(days=days - 1), today, zone, today, now)


def _date(args: Mapping[str, str], name: str) -> dt.date:
    try:
        return dt.date.fromisoformat(args[name])
    except ValueError:
        raise ReportInputError(f"{name} must be a date like 2026-11-25") from None


def parse_period(args: Mapping[str, str], zone: str, now: dt.datetime) -> Period:
    """`start` and `end` (local dates, inclusive), or `days` ending today (default 30)."""
    if "start" in args or "end" in args:
        if "start" not in args or "end" not in args:
            raise ReportInputError("start and end go together")
        first, last = _date(args, "start"), _date(args, "end")
        if first > last:
            raise ReportInputError("start must not be after end")
        if (last - first).days + 1 > MAX_DAYS:
            raise ReportInputError(f"a period is at most {MAX_DAYS} days")
        return Period(first, last, zone, localtime.today(zone, now), now)
    raw = args.get("days", str(DEFAULT_DAYS))
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 4):
        raise ReportInputError("days must be a whole number")
    return last_days(int(raw), zone, now)


def parse_dimension(raw: str | None) -> str:
    if raw not in DIMENSIONS:
        raise ReportInputError(f"dimension must be one of: {', '.join(DIMENSIONS)}")
    return raw


def parse_filters(raw: str | None) -> dict[str, list[str]]:
    """`country:DE,utm_source:facebook` → {"country": ["DE"], ...}; "(none)" matches missing."""
    filters: dict[str, list[str]] = {}
    for part in (raw or "").split(","):
        if not part.strip():
            continue
        dimension, sep, value = part.partition(":")
        dimension = dimension.strip()
        if not sep or dimension not in DIMENSIONS:
            raise ReportInputError(
                f"filter must look like country:DE,utm_source:facebook with dimensions from: "
                f"{', '.join(DIMENSIONS)}"
            )
        if len(value) > 255:
            raise ReportInputError("a filter value is at most 255 characters")
        filters.setdefault(dimension, []).append("" if value == NONE_LABEL else value)
    return filters
