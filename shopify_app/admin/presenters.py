"""Plain-language summaries and page facts for the admin templates."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from models import CustomEvent, Event
from shopify_app.analytics.clicks import ClickedElement
from shopify_app.custom_events.validation import DISPLAY_NAME_MAX, SELECTOR_MAX
from shopify_app.custom_events.vocabulary import (
    META_STANDARD_EVENTS,
    PAGE_TYPES,
    SHOPIFY_PAGE_TYPES,
)

TRIGGER_LABELS = {
    "click": "Click",
    "submit": "Form submit",
    "change": "Field change",
    "focus": "Field focus",
    "scroll": "Scroll depth",
    "load": "Page load",
}
# What a merchant calls each of Shopify's `request.page_type` values (the stored ids stay
# Shopify's: the storefront compares them with `request.page_type`).
PAGE_TYPE_LABELS = {
    "index": "Home page",
    "product": "Product pages",
    "collection": "Collection pages",
    "list-collections": "All collections page",
    "search": "Search results",
    "cart": "Cart",
    "page": "Content pages (About, Contact, …)",
    "blog": "Blog pages",
    "article": "Blog posts",
    "customers/login": "Customer login",
    "customers/register": "Customer sign-up",
    "customers/account": "Customer account",
    "customers/order": "Customer order details",
    "customers/addresses": "Customer addresses",
    "customers/activate_account": "Account activation",
    "customers/reset_password": "Password reset",
    "gift_card": "Gift card",
    "policy": "Store policies",
    "metaobject": "Metaobject pages",
    "password": "Store password page",
    "captcha": "Captcha check",
    "404": "Page not found (404)",
}
APP_EMBED_HANDLE = "sightline"  # the app embed block's file name in theme_extension/blocks/


def trigger_summary(event: CustomEvent) -> str:
    """`Click on .wishlist-btn · product pages`."""
    what = TRIGGER_LABELS.get(event.event_type, event.event_type)
    if event.selector:
        what += f" on {event.selector}"
    elif event.event_type == "scroll" and event.scroll_depth:
        what += f" {event.scroll_depth}%"
    return f"{what} · {page_summary(event)}"


def page_summary(event: CustomEvent) -> str:
    if event.page_type == "all":
        return "all pages"
    if event.page_type == "custom":
        return f"pages matching {event.page_url}"
    label = page_label(event.page_type)
    return label[0].lower() + label[1:]


def page_label(page_type: str | None) -> str:
    """A Shopify `request.page_type` in a merchant's words ("product" → "Product pages")."""
    if page_type in (None, "", "all"):
        return "All pages"
    if page_type == "custom":
        return "Custom URL"
    return PAGE_TYPE_LABELS.get(page_type, f"{page_type} pages")


def saved_message(saved: str | None, events: list[CustomEvent]) -> str | None:
    """The events list's confirmation after the form saved (`?saved=<id>`); the name only for
    one of this shop's own events (the list is already scoped to the shop)."""
    if not saved:
        return None
    named = next((e for e in events if str(e.id) == saved), None)
    return f"“{named.display_name}” saved." if named else "Event saved."


def trigger_choices() -> list[tuple[str, str]]:
    return list(TRIGGER_LABELS.items())


def page_type_choices() -> list[tuple[str, str]]:
    """(stored id, merchant label): the common pages first, in the order above."""
    labels = [(page, PAGE_TYPE_LABELS[page]) for page in PAGE_TYPE_LABELS]
    labels += [(page, page) for page in SHOPIFY_PAGE_TYPES if page not in PAGE_TYPE_LABELS]
    return [("all", "All pages"), *labels, ("custom", "Custom URL")]


def meta_event_choices() -> tuple[str, ...]:
    return META_STANDARD_EVENTS


def suggestion_query(clicked: ClickedElement) -> str:
    """The new-event form's query string that turns a clicked element into a custom event."""
    return urlencode(
        {
            "event_type": "click",
            "selector": clicked.selector,
            "page_type": clicked.page_type,
            "display_name": clicked.text[:DISPLAY_NAME_MAX] or clicked.selector,
        }
    )


def prefilled_event(args: Mapping[str, str]) -> CustomEvent:
    """A new, unsaved event with what a suggestion link carries; anything else keeps defaults."""
    page_type = args.get("page_type", "all")
    return CustomEvent(
        event_type=args.get("event_type") if args.get("event_type") in TRIGGER_LABELS else "click",
        page_type=page_type if page_type in PAGE_TYPES else "all",
        selector=args.get("selector", "")[:SELECTOR_MAX] or None,
        display_name=args.get("display_name", "")[:DISPLAY_NAME_MAX],
        is_active=True,
    )


def event_data_json(event: CustomEvent) -> str:
    return json.dumps(event.event_data, indent=2) if event.event_data else ""


def first_storefront_event_at(app_id: str) -> dt.datetime | None:
    """When the embed first reported in (uses the (app_id, created_at) index)."""
    first = (
        Event.select(Event.created_at)
        .where((Event.app_id == app_id) & (Event.source == "storefront"))
        .order_by(Event.created_at)
        .limit(1)
        .first()
    )
    return first.created_at if first else None


def onboarding(app_id: str, api_key: str) -> dict[str, Any]:
    return {
        "theme_editor_url": (
            f"https://{app_id}/admin/themes/current/editor"
            f"?context=apps&activateAppId={api_key}/{APP_EMBED_HANDLE}"
        ),
        "first_event_at": first_storefront_event_at(app_id),
    }
