"""Admin pages. Each reads through the same services as the JSON API; forms save through it."""

from __future__ import annotations

from typing import Any

from flask import current_app, g, render_template, request

from models import CustomEvent
from shopify_app.admin import bp, presenters
from shopify_app.analytics.clicks import most_clicked
from shopify_app.analytics.reports import MAX_DAYS, dashboard, dimensions, event_labels
from shopify_app.auth.embedded import embedded_page
from shopify_app.custom_events.limits import MAX_CONFIG_BYTES, MAX_EVENTS_PER_SHOP
from shopify_app.custom_events.service import CustomEventNotFoundError, get_event, list_events
from shopify_app.custom_events.settings_service import get_settings, settings_to_dict
from shopify_app.custom_events.sync import sync_state
from shopify_app.destinations.report import meta_status, overview
from shopify_app.errors import json_error

SETTINGS_TOGGLES = (
    (
        "custom_events_enabled",
        "Record custom events",
        "Your custom events fire on the storefront and are recorded.",
    ),
    ("track_pageviews", "Record page views", "A page_view event for every page a shopper opens."),
    (
        "track_clicks",
        "Record clicks on links and buttons",
        "Every click on a link or button, so you can see what shoppers use and make events of it.",
    ),
    (
        "record_location",
        "Record location",
        "Country and city from the shopper's IP. Off: no IP or location is stored.",
    ),
    ("send_to_meta", "Send mapped events to Meta", "Uses your pixel ID and access token above."),
)
META_TOGGLES = (
    (
        "meta_page_views",
        "Send page views to Meta as PageView",
        "Only when page views are recorded and sending to Meta is on.",
    ),
    (
        "meta_browser_pixel",
        "Also fire the Meta pixel in the browser",
        "Loads Meta's pixel on your storefront; browser and server copies share one event id, "
        "so Meta counts each event once.",
    ),
)
CONSENT_CHOICES = (
    ("by_region", "By region: skip shoppers in the EEA, the UK, Switzerland or of unknown country"),
    ("send", "Send"),
    ("skip", "Skip"),
)


def _page(template: str, **context: Any) -> str:
    return render_template(
        template,
        auth_query=g.auth_query,
        sync=sync_state(g.shop),
        meta=meta_status(g.shop),
        shop=g.shop,
        **context,
    )


@bp.get("/events")
@embedded_page
def events():  # type: ignore[no-untyped-def]
    shop_events = list_events(g.shop)
    return _page(
        "admin/events.html",
        events=shop_events,
        saved_message=presenters.saved_message(request.args.get("saved"), shop_events),
        trigger_summary=presenters.trigger_summary,
        onboarding=presenters.onboarding(g.shop, current_app.config["SHOPIFY_API_KEY"]),
        clicked=most_clicked(g.shop),
        track_clicks=get_settings(g.shop).track_clicks,
        suggestion_query=presenters.suggestion_query,
        page_label=presenters.page_label,
        max_events=MAX_EVENTS_PER_SHOP,
        max_config_kb=MAX_CONFIG_BYTES // 1024,
    )


@bp.get("/events/new")
@embedded_page
def new_event():  # type: ignore[no-untyped-def]
    """An empty form, or one pre-filled from a most-clicked suggestion (validated on save)."""
    return _event_form(presenters.prefilled_event(request.args))


@bp.get("/events/<int:event_id>/edit")
@embedded_page
def edit_event(event_id: int):  # type: ignore[no-untyped-def]
    try:
        return _event_form(get_event(g.shop, event_id))
    except CustomEventNotFoundError:
        return json_error("custom event not found", 404)


def _event_form(event: CustomEvent) -> str:
    return _page(
        "admin/event_form.html",
        event=event,
        event_data_json=presenters.event_data_json(event),
        triggers=presenters.trigger_choices(),
        page_types=presenters.page_type_choices(),
        meta_events=presenters.meta_event_choices(),
    )


@bp.get("/settings")
@embedded_page
def settings():  # type: ignore[no-untyped-def]
    return _page(
        "admin/settings.html",
        settings=settings_to_dict(get_settings(g.shop)),
        toggles=SETTINGS_TOGGLES,
        meta_toggles=META_TOGGLES,
        consent_choices=CONSENT_CHOICES,
    )


@bp.get("/deliveries")
@embedded_page
def deliveries():  # type: ignore[no-untyped-def]
    return _page("admin/deliveries.html", report=overview(g.shop))


@bp.get("/reports")
@embedded_page
def reports():  # type: ignore[no-untyped-def]
    asked = request.args.get("days", "30")
    days = int(asked) if asked.isascii() and asked.isdigit() and len(asked) <= 3 else 30
    days = days if 1 <= days <= MAX_DAYS else 30
    report = dashboard(g.shop, days=days)
    labels = event_labels(g.shop)
    return _page(
        "admin/reports.html",
        report=report,
        day_choices=(7, 30, 90),
        dimensions=dimensions(),
        event_labels=labels,
        funnel_events=sorted(labels.items(), key=lambda item: item[1].lower()),
    )
