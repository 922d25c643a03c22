"""Caps that keep every storefront page light: events per shop, and the rendered config.

The storefront config (`sightline.config`) is inlined into every page of the shop by the app
embed, so its size is paid on each page view; Shopify also caps a metafield's value. Without a
cap, 300 events with 3.6 KB of data each made a 1.1 MB config. A change that would pass either
cap is refused with a 422 that says which and by how much, and nothing is saved (the check runs
inside the change's transaction).
"""

from __future__ import annotations

import json

from models import CustomEvent
from shopify_app.custom_events.validation import ValidationError
from shopify_app.storefront_config import build_storefront_config

MAX_EVENTS_PER_SHOP = 100
MAX_CONFIG_BYTES = 64 * 1024  # our budget, well inside Shopify's limit for a JSON metafield


class LimitError(ValidationError):
    """A change that would pass a cap (422, nothing saved)."""


def event_count(app_id: str) -> int:
    return CustomEvent.select().where(CustomEvent.app_id == app_id).count()


def check_room_for_one_more(app_id: str) -> None:
    """Before a create: the shop has fewer than MAX_EVENTS_PER_SHOP events."""
    if event_count(app_id) >= MAX_EVENTS_PER_SHOP:
        raise LimitError(
            {
                "events": f"A shop can have at most {MAX_EVENTS_PER_SHOP} custom events. "
                "Delete one you no longer need to make room."
            }
        )


def config_size(app_id: str) -> int:
    """Bytes of the storefront config as the metafield holds it (see shopify.config_sync)."""
    config = build_storefront_config(app_id)
    return len(json.dumps(config, separators=(",", ":"), sort_keys=True).encode())


def check_config_size(app_id: str) -> None:
    """After a change, in its transaction: the config still fits MAX_CONFIG_BYTES."""
    size = config_size(app_id)
    if size > MAX_CONFIG_BYTES:
        raise LimitError(
            {
                "event_data": f"This would make the storefront configuration {size // 1024} KB, "
                f"over its {MAX_CONFIG_BYTES // 1024} KB limit (it is part of every page of "
                "your store). Shorten the event data or pause events you do not need."
            }
        )
