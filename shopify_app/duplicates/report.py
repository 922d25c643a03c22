"""What the admin says about other Meta pixel code on the storefront (`pixel_seen` events).

Per pixel id: on which pages and since when other code loaded it, and whether it is the shop's
own pixel (then Meta receives the same events twice: ours with event ids, theirs without).
Purchases that other code sent without an event id of ours count twice as well. Either one is
a warning; other pixel ids are listed as information.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlsplit

from models import AppSettings, Event, utcnow
from shopify_app.ingest.pixel_seen import PIXEL_SEEN

DAYS = 30
MAX_ROWS = 5000  # once per session each: plenty for a month's picture
MAX_PAGES = 5
UNKNOWN = "unknown"  # pixel code seen, but no id could be read


def _stamp(moment: dt.datetime) -> str:
    return moment.isoformat(timespec="seconds") + "Z"


def _path(url: str | None) -> str:
    return (urlsplit(url).path or "/") if url else "/"


def _sighting(found: dict[str, dict[str, Any]], key: str, row: Event) -> None:
    entry = found.setdefault(
        key,
        {"pages": [], "first_seen": _stamp(row.created_at), "sessions": 0},
    )
    entry["sessions"] += 1
    entry["last_seen"] = _stamp(row.created_at)
    path = _path(row.url)
    if path not in entry["pages"] and len(entry["pages"]) < MAX_PAGES:
        entry["pages"].append(path)


def duplicate_sources(shop: str, now: dt.datetime | None = None) -> dict[str, Any]:
    since = (now or utcnow()) - dt.timedelta(days=DAYS)
    rows = (
        Event.select(Event.custom_data, Event.url, Event.created_at)
        .where(
            (Event.app_id == shop) & (Event.event_name == PIXEL_SEEN) & (Event.created_at >= since)
        )
        .order_by(Event.created_at)
        .limit(MAX_ROWS)
    )
    settings = AppSettings.get_or_none(AppSettings.app_id == shop)
    ours = settings.pixel_id if settings and settings.send_to_meta else None
    pixels: dict[str, dict[str, Any]] = {}
    purchases: dict[str, dict[str, Any]] = {}
    for row in rows:
        data = row.custom_data if isinstance(row.custom_data, dict) else {}
        for pixel_id in data.get("ids") or [UNKNOWN]:
            _sighting(pixels, str(pixel_id), row)
        if data.get("purchase"):
            _sighting(purchases, "purchase", row)
    listed = [
        {"pixel_id": pixel_id, "same_as_ours": pixel_id == ours, **entry}
        for pixel_id, entry in sorted(pixels.items(), key=lambda item: item[1]["first_seen"])
    ]
    return {
        "days": DAYS,
        "our_pixel_id": ours,
        "pixels": listed,
        "purchase": purchases.get("purchase"),
        "warning": any(p["same_as_ours"] for p in listed) or bool(purchases),
    }
