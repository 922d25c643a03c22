"""Picker sessions in the database (every query scoped by shop): open one, record the
storefront's selection, read it back for the admin, and find an event's newest occurrence for
the form's test mode.

The database, not process memory, holds the selection: the storefront's request and the admin's
poll may land on different workers or servers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from models import CustomEvent, Event, PickerSession, utcnow
from shopify_app.custom_events.validation import (
    PAGE_URL_MAX,
    PAGE_URL_PATTERN,
    SELECTOR_MAX,
    selector_problem,
    storable,
)
from shopify_app.custom_events.vocabulary import PAGE_TYPES, TRIGGERS_NEEDING_SELECTOR
from shopify_app.picker import tokens

URL_MAX = 2048
MAX_MATCH_COUNT = 1_000_000
STORE_PATH_MAX = 500
KEEP_EXPIRED = dt.timedelta(hours=1)  # expired sessions linger this long, then go


class SelectionError(ValueError):
    """The posted selection is not something a custom event could be made of."""


@dataclass(frozen=True)
class OpenedPicker:
    token: str
    session_id: str
    expires_at: dt.datetime
    url: str  # the storefront page with the token in its fragment


def open_picker(
    shop: str, storefront_root: str, path: str, secret_key: str, ttl: int
) -> OpenedPicker:
    """A new picker session for `shop`, opening `path` on its storefront."""
    session_id = tokens.new_session_id()
    token, claims = tokens.mint(secret_key, shop, session_id, ttl=ttl)
    expires_at = dt.datetime.fromtimestamp(claims.expires_at, dt.UTC).replace(tzinfo=None)
    PickerSession.delete().where(
        (PickerSession.app_id == shop) & (PickerSession.expires_at < utcnow() - KEEP_EXPIRED)
    ).execute()
    PickerSession.create(app_id=shop, session_id=session_id, expires_at=expires_at)
    url = f"{storefront_root.rstrip('/')}{path}#sightline-picker={token}"
    return OpenedPicker(token, session_id, expires_at, url)


def storefront_path_problem(path: object) -> str | None:
    """A path on the shop's own storefront: no scheme, no host, no fragment."""
    if not isinstance(path, str) or not path.startswith("/") or path.startswith("//"):
        return "must be a path on your storefront, starting with /"
    if len(path) > STORE_PATH_MAX or "#" in path or "\\" in path or not path.isprintable():
        return "must be a path on your storefront, starting with /"
    return None


def clean_selection(body: Mapping[str, Any]) -> dict[str, Any]:
    """The storable selection from the picker's body; raises SelectionError."""
    selector = body.get("selector")
    if not isinstance(selector, str) or not selector.strip() or not storable(selector):
        raise SelectionError("selector is required")
    selector = selector.strip()
    problem = selector_problem(selector)
    if problem:
        raise SelectionError(f"selector {problem}")
    event_type = body.get("event_type")
    if event_type not in TRIGGERS_NEEDING_SELECTOR:
        raise SelectionError("event_type must be one of " + ", ".join(TRIGGERS_NEEDING_SELECTOR))
    page_type = body.get("page_type")
    if page_type not in PAGE_TYPES:
        raise SelectionError("page_type is not a Shopify page type")
    page_url = body.get("page_url")
    if page_type == "custom" and not (
        isinstance(page_url, str)
        and len(page_url) <= PAGE_URL_MAX
        and PAGE_URL_PATTERN.match(page_url)
    ):
        raise SelectionError("page_url must be a path for a custom page type")
    url = body.get("url")
    if not isinstance(url, str) or len(url) > URL_MAX or not storable(url):
        raise SelectionError("url is required")
    count = body.get("match_count")
    if not isinstance(count, int) or isinstance(count, bool) or not 0 <= count <= MAX_MATCH_COUNT:
        raise SelectionError("match_count must be a whole number")
    return {
        "selector": selector[:SELECTOR_MAX],
        "event_type": event_type,
        "page_type": page_type,
        "page_url": page_url if page_type == "custom" else None,
        "url": url,
        "match_count": count,
    }


def record_selection(claims: tokens.PickerClaims, selection: dict[str, Any]) -> int | None:
    """Store the selection on the token's session; its new sequence number, or None when the
    session is gone (expired and cleaned up)."""
    updated = (
        PickerSession.update(selection=selection, seq=PickerSession.seq + 1, updated_at=utcnow())
        .where(
            (PickerSession.app_id == claims.shop)
            & (PickerSession.session_id == claims.session_id)
            & (PickerSession.expires_at > utcnow())
        )
        .execute()
    )
    if not updated:
        return None
    return find_session(claims.shop, claims.session_id).seq  # type: ignore[union-attr]


def find_session(shop: str, session_id: str) -> PickerSession | None:
    return (
        PickerSession.select()
        .where((PickerSession.app_id == shop) & (PickerSession.session_id == session_id))
        .first()
    )


def session_to_dict(session: PickerSession) -> dict[str, Any]:
    return {
        "session_id": session.session_id,
        "expires_at": session.expires_at.isoformat() + "Z",
        "expired": session.expires_at <= utcnow(),
        "seq": session.seq,
        "selection": session.selection,
    }


def latest_occurrence(
    shop: str, event: CustomEvent, since: dt.datetime | None
) -> dict[str, Any] | None:
    """The newest stored occurrence of `event` (after `since`), as the form's test mode shows it."""
    query = Event.select().where((Event.app_id == shop) & (Event.event_name == event.name))
    if since is not None:
        query = query.where(Event.created_at >= since)
    found = query.order_by(Event.created_at.desc(), Event.id.desc()).first()
    if found is None:
        return None
    return {
        "id": found.id,
        "device_type": found.device_type,
        "browser": found.browser,
        "url": found.url,
        "page_type": found.page_type,
        "created_at": found.created_at.isoformat() + "Z",
    }
