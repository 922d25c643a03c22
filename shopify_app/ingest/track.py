"""The ingest service behind POST /proxy/track: validate a batch, enrich it once, check each
event against the shop's configuration, and store the accepted ones durably."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from models import utcnow
from shopify_app.custom_events.vocabulary import CLICK, PAGE_VIEW, PIXEL_SEEN
from shopify_app.destinations.consent import may_send
from shopify_app.ingest.context import RECHECK_AFTER_SECONDS, ShopContext, ShopContextCache
from shopify_app.ingest.enrich import attribution_from_url, enrich
from shopify_app.ingest.fingerprint import SaltCache, fingerprint, today
from shopify_app.ingest.group_commit import GroupCommitter
from shopify_app.ingest.validate import ValidEvent, parse_batch, parse_body
from shopify_app.ingest.writer import StorefrontBatch


@dataclass(frozen=True)
class RequestFacts:
    """What the request itself tells about the shopper (never trusted from the body)."""

    ip: str | None
    user_agent: str | None
    customer_id: str | None  # Shopify's logged_in_customer_id, covered by the proxy signature


@dataclass
class TrackResult:
    accepted: int = 0
    rejected: list[dict[str, Any]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {"accepted": self.accepted, "rejected": self.rejected}


@dataclass
class Ingestor:
    """Per-process collaborators of the service: caches and the group committer."""

    committer: GroupCommitter = field(default_factory=GroupCommitter)
    contexts: ShopContextCache = field(default_factory=ShopContextCache)
    salts: SaltCache = field(default_factory=SaltCache)
    geoip_city_db: str | None = None
    recheck_after: float = RECHECK_AFTER_SECONDS

    def track(self, app_id: str, body: bytes | Any, facts: RequestFacts) -> TrackResult:
        """Store the acceptable events of `body` (the raw request body, or JSON decoded
        already); raises validate's errors for a bad body."""
        parse = parse_body if isinstance(body, bytes) else parse_batch
        batch, events, rejected = parse(body)
        result = TrackResult(rejected=rejected)
        if not events:
            return result
        shop = self.contexts.get(app_id)
        if any(_unknown_custom_event(shop, event.name) for event in events):
            shop = self.contexts.get(app_id, max_age=self.recheck_after)  # saved a moment ago?
        refusal = _refusal(shop)
        enrichment = enrich(
            facts.user_agent,
            facts.ip,
            record_location=shop.record_location,
            geoip_city_db=self.geoip_city_db,
        )
        if refusal is None and enrichment["is_bot"]:
            refusal = "bot traffic is not recorded"
        if refusal:
            result.rejected += [{"index": e.index, "error": refusal} for e in events]
            result.rejected.sort(key=lambda r: r["index"])
            return result
        shared: dict[str, Any] = {
            "created_at": utcnow().isoformat(sep=" ", timespec="microseconds"),
            "user_agent": (facts.user_agent or "")[:512] or None,
            "ip_address": enrichment["ip_address"],
            "device_type": enrichment["device_type"],
            "browser": enrichment["browser"],
            "country": enrichment["country"],
            "city": enrichment["city"],
            "customer_id": facts.customer_id or None,
            "fingerprint": fingerprint(
                self.salts.salt_for(today()), app_id, facts.ip, facts.user_agent
            ),
            "session_id": batch.session_id,
            "fbp": batch.fbp,
            "fbc": batch.fbc,
            "referrer": batch.referrer,
            "marketing_consent": batch.marketing,
            **batch.attribution,
        }
        # An explicit choice wins; without one the shop's policy decides (by the IP's country).
        consent = may_send(batch.marketing, shop.consent_when_unknown, enrichment["country"])
        rows: list[dict[str, Any]] = []
        meta: dict[str, str] = {}
        for event in events:
            problem = _not_configured(shop, event.name)
            if problem:
                result.rejected.append({"index": event.index, "error": problem})
                continue
            rows.append(_row(event))
            meta_name = shop.meta_event_for(event.name)
            if meta_name and consent:
                meta[event.event_id] = meta_name
        result.rejected.sort(key=lambda r: r["index"])
        self.committer.submit(StorefrontBatch(app_id, shared, rows, meta))
        result.accepted = len(rows)  # duplicates of stored events count: they are stored
        return result


def _refusal(shop: ShopContext) -> str | None:
    if not shop.installed:
        return "the app is not installed on this shop"
    if not (shop.custom_events_enabled or shop.track_pageviews or shop.track_clicks):
        return "tracking is turned off for this shop"
    return None


def _unknown_custom_event(shop: ShopContext, name: str) -> bool:
    return name not in (PAGE_VIEW, CLICK, PIXEL_SEEN) and name not in shop.custom_events


def _not_configured(shop: ShopContext, name: str) -> str | None:
    if name == PIXEL_SEEN:
        return None  # a finding about the storefront, kept whenever the shop records anything
    if name == PAGE_VIEW:
        return None if shop.track_pageviews else "page views are turned off for this shop"
    if name == CLICK:
        return None if shop.track_clicks else "click autocapture is turned off for this shop"
    if not shop.custom_events_enabled:
        return "custom events are turned off for this shop"
    if name not in shop.custom_events:
        return f"'{name}' is not an active custom event of this shop"
    return None


def _row(event: ValidEvent) -> dict[str, Any]:
    # The page URL's attribution; the batch's (the session's first touch) wins in the SQL.
    row = dict(attribution_from_url(event.url))
    row.update(
        event_id=event.event_id,
        event_name=event.name,
        url=event.url,
        page_type=event.page_type,
        custom_data=event.data,
        value=event.value,
        currency=event.currency,
    )
    return row
