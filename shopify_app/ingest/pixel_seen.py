"""`pixel_seen`: the tracker found Meta pixel code on the storefront that is not Sightline's.

Sent at most once per session, so it costs a few bytes. The data comes from the shopper's
browser and is reduced here to a bounded shape whatever was sent: at most MAX_IDS pixel ids
(digits only) and whether that code sent a Purchase without an event id of ours. It is
recorded whenever the shop records anything, is never sent to Meta, and feeds the admin's
duplicate-source warning (shopify_app/duplicates/).
"""

from __future__ import annotations

import re
from typing import Any

from shopify_app.custom_events.vocabulary import PIXEL_SEEN

__all__ = ["MAX_IDS", "PIXEL_SEEN", "clean_pixel_data"]

MAX_IDS = 5
PIXEL_ID = re.compile(r"[0-9]{5,20}")


def clean_pixel_data(data: dict[str, Any]) -> dict[str, Any]:
    raw = data.get("ids")
    ids: list[str] = []
    for value in raw[: MAX_IDS * 4] if isinstance(raw, list) else []:
        text = str(value) if isinstance(value, int | str) and not isinstance(value, bool) else ""
        if PIXEL_ID.fullmatch(text) and text not in ids:
            ids.append(text)
    return {"ids": ids[:MAX_IDS], "purchase": data.get("purchase") in (True, 1)}
