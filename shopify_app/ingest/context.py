"""What ingest needs to know about a shop (settings, active custom events), cached for a few
seconds per process: a storefront sends many small batches, and reading the same settings for
each would cost more than writing the events."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from models import AppSettings, CustomEvent, Shop, ShopState
from shopify_app.custom_events.vocabulary import PAGE_VIEW

TTL_SECONDS = 5.0  # an admin change reaches ingest within this long
# An event name the cached context does not know is looked up again when the cache is older
# than this: a merchant testing a just-saved event clicks it within seconds.
RECHECK_AFTER_SECONDS = 0.25
MAX_SHOPS = 10_000  # bounds memory; the cache is simply cleared when it fills up
META_PAGE_VIEW = "PageView"


@dataclass(frozen=True)
class ShopContext:
    installed: bool
    custom_events_enabled: bool
    track_pageviews: bool
    track_clicks: bool
    record_location: bool
    consent_when_unknown: str = "by_region"  # Meta: send, skip or by_region without a signal
    meta_page_views: bool = False  # page views go to Meta as PageView
    # Active custom event name -> the Meta standard event it maps to ("" for none).
    custom_events: dict[str, str] = field(default_factory=dict)

    def meta_event_for(self, name: str) -> str | None:
        if name == PAGE_VIEW:
            return META_PAGE_VIEW if self.meta_page_views else None
        return self.custom_events.get(name) or None


def load_shop_context(app_id: str) -> ShopContext:
    """Read the shop's ingest facts from the database."""
    shop = Shop.get_or_none(Shop.domain == app_id)
    settings = AppSettings.get_or_none(AppSettings.app_id == app_id) or AppSettings(app_id=app_id)
    events = CustomEvent.select(CustomEvent.name, CustomEvent.meta_event_name).where(
        (CustomEvent.app_id == app_id) & CustomEvent.is_active
    )
    return ShopContext(
        # A signed proxy request proves the app is installed; only an uninstall we recorded
        # (the webhook can arrive before the embed is gone) says otherwise.
        installed=shop is None or shop.state != ShopState.UNINSTALLED,
        custom_events_enabled=settings.custom_events_enabled,
        track_pageviews=settings.track_pageviews,
        track_clicks=settings.track_clicks,
        record_location=settings.record_location,
        consent_when_unknown=settings.consent_when_unknown,
        meta_page_views=settings.meta_page_views,
        custom_events={e.name: e.meta_event_name or "" for e in events},
    )


class ShopContextCache:
    def __init__(self, ttl: float = TTL_SECONDS) -> None:
        self.ttl = ttl
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[float, ShopContext]] = {}

    def get(self, app_id: str, *, max_age: float | None = None) -> ShopContext:
        """The shop's context, read again when older than the TTL (or `max_age`, if shorter)."""
        now = time.monotonic()
        with self._lock:
            entry = self._entries.get(app_id)
        if entry and now - entry[0] < min(self.ttl, self.ttl if max_age is None else max_age):
            return entry[1]
        context = load_shop_context(app_id)
        with self._lock:
            if len(self._entries) >= MAX_SHOPS:
                self._entries.clear()
            self._entries[app_id] = (now, context)
        return context

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
