"""POST /pixel/events: batches from the web pixel, authenticated by the shop's pixel key.

- 401 and nothing stored without the shop's current key (or for a shop that uninstalled).
- Each event is checked against Shopify's payload on its own: a bad one is listed in
  `rejected` with status 422, the rest are stored. Every event rejected: the reply is a 422.
- The storefront's rate limits apply (per visitor and per shop, shared with the app proxy): 429.
- Bots (by the request's User-Agent, ingest.enrich.is_bot, as the app proxy decides) are answered
  as the proxy answers them: 200, nothing stored, each valid event in `rejected` with the reason.
- CORS: the pixel's sandbox is another origin. The pixel sends `text/plain` (no preflight);
  JSON bodies get a preflight answer too. No credentials are involved, so `*` is safe.
"""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, jsonify, request

from models import AppSettings
from shopify_app.destinations.consent import may_send
from shopify_app.errors import json_error
from shopify_app.ingest.enrich import BOT_REFUSAL, Enrichment, enrich, is_bot
from shopify_app.ingest.writer import NewEvent, write_events
from shopify_app.pixel import bp
from shopify_app.pixel.events import PixelEvent, parse_event
from shopify_app.pixel.keys import key_is_valid
from shopify_app.proxy.client_address import shopper_address
from shopify_app.proxy.ratelimit import RateLimiter
from shopify_app.request_body import bounded_json_object

MAX_BODY_BYTES = 64 * 1024
MAX_EVENTS = 50
SOURCE = "web_pixel"
CORS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "POST, OPTIONS",
    "Access-Control-Allow-Headers": "Content-Type",
    "Access-Control-Max-Age": "86400",
}


@bp.after_request
def _cors(response: Response) -> Response:
    response.headers.update(CORS)
    return response


@bp.route("/events", methods=["OPTIONS"])
def preflight() -> Response:
    return Response(status=204)


@bp.post("/events")
def receive() -> Response:
    body = bounded_json_object(MAX_BODY_BYTES, "body must be an object with shop, key and events")
    if isinstance(body, Response):
        return body
    shop = body.get("shop")
    if not key_is_valid(shop, body.get("key")):
        return json_error("no valid pixel key for this shop", 401)
    limited = _rate_limited(shop)
    if limited is not None:
        return limited
    events = body.get("events")
    if not isinstance(events, list) or not events:
        return json_error("events must be a non-empty list", 422)
    if len(events) > MAX_EVENTS:
        return json_error(f"at most {MAX_EVENTS} events per request", 413)
    valid: dict[int, PixelEvent] = {}  # by the event's index in the batch
    rejected: list[dict[str, Any]] = []
    for index, item in enumerate(events):
        try:
            valid[index] = parse_event(item)
        except ValueError as exc:
            rejected.append({"index": index, "status": 422, "error": str(exc)})
    if not valid:
        reply = {"accepted": 0, "rejected": rejected, "error": "no event matched Shopify's payload"}
        return jsonify(reply), 422
    if is_bot(request.headers.get("User-Agent")):  # the proxy's answer: 200, nothing stored
        rejected += [{"index": index, "error": BOT_REFUSAL} for index in valid]
        rejected.sort(key=lambda r: r["index"])
        return jsonify(accepted=0, rejected=rejected)
    write_events(shop, _new_events(shop, list(valid.values())))
    return jsonify(accepted=len(valid), rejected=rejected)


def _shopper_ip() -> str | None:
    return shopper_address(
        request.headers.get("X-Forwarded-For"),
        request.remote_addr,
        int(current_app.config.get("PIXEL_TRUSTED_PROXY_HOPS", 0)),
    )


def _rate_limited(shop: str) -> Response | None:
    """The storefront's limits (per visitor, per shop; app/proxy/ratelimit.py), shared with the
    proxy: a shopper's pixel and tracker draw on one allowance."""
    visitor: RateLimiter = current_app.extensions["sightline_proxy_visitor_limiter"]
    per_shop: RateLimiter = current_app.extensions["sightline_proxy_limiter"]
    for limiter, key in ((visitor, f"{shop}|{_shopper_ip()}"), (per_shop, shop)):
        if not limiter.allow(key):
            return json_error(
                "too many requests", 429, {"Retry-After": str(limiter.retry_after(key))}
            )
    return None


def _new_events(shop: str, events: list[PixelEvent]) -> list[NewEvent]:
    """The batch's rows: the request (user agent, address) and the shop's settings are read once."""
    settings = AppSettings.get_or_none(AppSettings.app_id == shop) or AppSettings(app_id=shop)
    user_agent = request.headers.get("User-Agent")
    found = enrich(user_agent, _shopper_ip(), record_location=bool(settings.record_location))
    return [_new_event(event, settings, user_agent, found) for event in events]


def _new_event(
    event: PixelEvent, settings: AppSettings, user_agent: str | None, found: Enrichment
) -> NewEvent:
    # The visitor's choice in the pixel wins; then what the storefront wrote into the cart;
    # without either, the shop's policy decides by country.
    consent = event.marketing if event.marketing is not None else event.consent_attribute
    columns: dict[str, Any] = {
        "source": SOURCE,
        "url": event.url,
        "referrer": event.referrer,
        "user_agent": (user_agent or "")[:512] or None,
        "ip_address": found["ip_address"],
        "device_type": found["device_type"],
        "browser": found["browser"],
        "country": found["country"],
        "city": found["city"],
        "value": event.value,
        "currency": event.currency,
        "order_id": event.order_id,
        "customer_id": event.customer_id,
        "marketing_consent": consent,
        "custom_data": event.data,
        **event.attribution,
    }
    return NewEvent(
        event_id=event.event_id,
        event_name=event.name,
        columns=columns,
        meta_event_name=event.meta_event_name,
        marketing_consent=may_send(consent, settings.consent_when_unknown, found["country"]),
    )
