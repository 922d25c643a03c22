"""The Events page's "Most-clicked elements": autocaptured clicks grouped by element and page type.

Each group is a ready-made custom event (a selector and where it was clicked), so a merchant turns
what shoppers already use into an event without opening developer tools. The query reads one
shop's `click` rows of the last days through the (app_id, event_name) index.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from peewee import SQL, Node, fn

from models import Event, db, utcnow
from models.database import is_postgresql
from shopify_app.custom_events.vocabulary import CLICK

WINDOW_DAYS = 7
TOP = 10


@dataclass(frozen=True)
class ClickedElement:
    selector: str
    page_type: str  # where it was clicked: "all" when the tracker did not know
    clicks: int
    text: str  # one of the element's texts, for a recognisable label
    href: str


def most_clicked(
    app_id: str, days: int = WINDOW_DAYS, limit: int = TOP, now: dt.datetime | None = None
) -> list[ClickedElement]:
    """The shop's most-clicked elements over the last `days`, most clicks first."""
    since = (now or utcnow()) - dt.timedelta(days=days)
    selector, text, href = (_json_text(key) for key in ("selector", "text", "href"))
    clicks = fn.COUNT(Event.id)
    rows = (
        Event.select(
            selector.alias("selector"),
            Event.page_type,
            clicks.alias("clicks"),
            fn.MAX(text).alias("text"),
            fn.MAX(href).alias("href"),
        )
        .where((Event.app_id == app_id) & (Event.event_name == CLICK) & (Event.created_at >= since))
        .group_by(SQL("1"), SQL("2"))  # by position: one expression, not two bound copies
        .order_by(clicks.desc(), SQL("1"))
        .limit(limit)
        .tuples()
    )
    return [
        ClickedElement(sel, page or "all", count, label or "", link or "")
        for sel, page, count, label, link in rows
        if sel
    ]


def _json_text(key: str) -> Node:
    """`custom_data`'s `key` as text (the key is one of ours, never input)."""
    if is_postgresql(db):
        return SQL(f"custom_data ->> '{key}'")
    return fn.json_extract(Event.custom_data, SQL(f"'$.{key}'"))
