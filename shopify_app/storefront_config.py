"""The configuration the storefront tracker reads: written to the app-data metafield
`sightline.config` (rendered inline by the app embed) and served by GET /proxy/config."""

from __future__ import annotations

from typing import Any

from models import AppSettings, CustomEvent

CONFIG_VERSION = 1


def build_storefront_config(app_id: str) -> dict[str, Any]:
    """Everything the tracker needs and nothing it doesn't (no tokens, no Meta mapping)."""
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
