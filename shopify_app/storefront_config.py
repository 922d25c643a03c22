"""The configuration the storefront tracker reads: written to the app-data metafield
`sightline.config` (rendered inline by the app embed) and served by GET /proxy/config."""

from __future__ import annotations

from typing import Any

from models import AppSettings, CustomEvent

CONFIG_VERSION = 1


def build_storefront_config(app_id: str) -> dict[str, Any]:
    """Everything the tracker needs and nothing it doesn't (no tokens). The Meta mapping is
    there only when the shop fires Meta's pixel in the browser too."""
    settings = AppSettings.get_or_none(AppSettings.app_id == app_id) or AppSettings(app_id=app_id)
    events = (
        CustomEvent.select()
        .where((CustomEvent.app_id == app_id) & CustomEvent.is_active)
        .order_by(CustomEvent.id)
    )
    return {
        "version": CONFIG_VERSION,
        "shop": app_id,
        "settings": {
            "custom_events_enabled": settings.custom_events_enabled,
            "track_pageviews": settings.track_pageviews,
            "track_clicks": settings.track_clicks,
        },
        "events": [_event_config(event) for event in events],
        **_browser_pixel(settings, events),
    }


def _browser_pixel(settings: AppSettings, events: Any) -> dict[str, Any]:
    """`meta`: what sightline-meta.js needs to fire fbq() with the id the server sends. The
    pixel id is public (Meta's own snippet shows it); the access token never leaves the server."""
    if not (settings.meta_browser_pixel and settings.send_to_meta and settings.pixel_id):
        return {}
    return {
        "meta": {
            "pixel_id": settings.pixel_id,
            "events": {e.name: e.meta_event_name for e in events if e.meta_event_name},
            "page_view": bool(settings.meta_page_views),
            # Without a consent signal the browser fires only when the shop's policy is "send":
            # it cannot tell the shopper's region, so by_region waits for an explicit yes.
            "send_unknown": settings.consent_when_unknown == "send",
        }
    }


def _event_config(event: CustomEvent) -> dict[str, Any]:
    return {
        "name": event.name,
        "event_type": event.event_type,
        "selector": event.selector,
        "scroll_depth": event.scroll_depth,
        "page_type": event.page_type,
        "page_url": event.page_url,
        "data": event.event_data or {},
    }
