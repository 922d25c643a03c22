"""Raw-event views: the live feed of the last minutes, and the streamed CSV export."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from typing import Any

from models import Event
from shopify_app.analytics import localtime
from shopify_app.analytics.period import Period, ReportInputError
from shopify_app.analytics.reports import event_labels

LIVE_MAX_MINUTES = 60
LIVE_LIMIT = 100
EXPORT_BATCH = 2_000
EXPORT_COLUMNS = (
    "id",
    "event_id",
    "created_at",
    "event_name",
    "source",
    "session_id",
    "url",
    "page_type",
    "referrer",
    "device_type",
    "browser",
    "country",
    "city",
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "utm_term",
    "utm_content",
    "value",
    "currency",
    "order_id",
)


def parse_minutes(raw: str | None) -> int:
    raw = raw or "5"
    if not (raw.isascii() and raw.isdigit() and 1 <= int(raw) <= LIVE_MAX_MINUTES):
        raise ReportInputError(f"minutes must be 1 to {LIVE_MAX_MINUTES}")
    return int(raw)


def live(app_id: str, minutes: int, now: dt.datetime) -> dict[str, Any]:
    """The shop's newest events of the last `minutes` (at most LIVE_LIMIT), newest first."""
    since = now - dt.timedelta(minutes=minutes)
    rows = (
        Event.select(
            Event.id,
            Event.created_at,
            Event.event_name,
            Event.source,
            Event.url,
            Event.device_type,
            Event.country,
            Event.session_id,
            Event.value,
            Event.currency,
        )
        .where((Event.app_id == app_id) & (Event.created_at >= since))
        .order_by(Event.created_at.desc(), Event.id.desc())
        .limit(LIVE_LIMIT)
    )
    labels = event_labels(app_id)
    zone = localtime.shop_zone(app_id)
    return {
        "minutes": minutes,
        "timezone": zone,
        "events": [
            {
                "id": e.id,
                "at": e.created_at.isoformat() + "Z",
                "local_time": localtime.to_local(e.created_at, zone).strftime("%H:%M:%S"),
                "event_name": e.event_name,
                "label": labels.get(e.event_name, e.event_name),
                "source": e.source,
                "url": e.url,
                "device_type": e.device_type,
                "country": e.country,
                "session_id": e.session_id,
                "value": None if e.value is None else str(e.value),
                "currency": e.currency,
            }
            for e in rows
        ],
    }


def export_csv(app_id: str, period: Period) -> Iterator[str]:
    """The shop's events in the period as CSV, in id order, a batch at a time (keyset paging,
    so memory stays flat whatever the range)."""
    start, end = period.utc_bounds()
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(EXPORT_COLUMNS)
    yield _drain(buffer)
    fields = [getattr(Event, c) for c in EXPORT_COLUMNS]
    last_id = 0
    while True:
        batch = list(
            Event.select(*fields)
            .where(
                (Event.app_id == app_id)
                & (Event.created_at >= start)
                & (Event.created_at < end)
                & (Event.id > last_id)
            )
            .order_by(Event.id)
            .limit(EXPORT_BATCH)
            .tuples()
        )
        if not batch:
            return
        for row in batch:
            writer.writerow([_cell(v) for v in row])
        last_id = batch[-1][0]
        yield _drain(buffer)


def _cell(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.isoformat() + "Z"
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value  # a spreadsheet must not run a shopper-supplied formula
    return "" if value is None else value


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text
