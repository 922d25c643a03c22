"""GET /proxy/config and POST /proxy/track: verify Shopify's signature first, then parse,
call the service, and shape the reply."""

from __future__ import annotations

from flask import Flask, Response, current_app, g, jsonify, request
from flask.sansio.blueprints import BlueprintSetupState

from shopify_app.errors import json_error
from shopify_app.ingest.enrich import warm as warm_enrichment
from shopify_app.ingest.group_commit import WriteTimeoutError
from shopify_app.ingest.track import Ingestor, RequestFacts
from shopify_app.ingest.validate import BatchShapeError, BatchTooLargeError, InvalidJSONError
from shopify_app.proxy import bp
from shopify_app.proxy.client_address import DEFAULT_TRUSTED_HOPS, shopper_address
from shopify_app.proxy.ratelimit import (
    DEFAULT_STORAGE_URI,
    RateLimiter,
    StorageFailures,
    open_storage,
)
from shopify_app.proxy.signature import SignatureError, verify
from shopify_app.storefront_config import build_storefront_config

MAX_BODY_BYTES = 64 * 1024
# Two limits, shared by every process using the same storage (RATE_LIMIT_STORAGE_URI). One per
# visitor (shop + shopper IP): a tab sends about one batch a second, so one script cannot take a
# shop's whole allowance. One per shop, far higher: a safety net for the database when many
# addresses flood one shop.
DEFAULT_VISITOR_RATE_PER_SECOND = 5.0
DEFAULT_VISITOR_RATE_BURST = 30.0
DEFAULT_RATE_PER_SECOND = 500.0
DEFAULT_RATE_BURST = 2000.0
CONFIG_MAX_AGE = 60  # seconds a browser may reuse the fetched config


@bp.record_once
def _setup(state: BlueprintSetupState) -> None:
    app: Flask = state.app
    config = app.config
    app.extensions["sightline_ingest"] = Ingestor(geoip_city_db=config.get("GEOIP_CITY_DB"))
    warm_enrichment()
    storage = open_storage(config.get("RATE_LIMIT_STORAGE_URI") or DEFAULT_STORAGE_URI)
    failures = StorageFailures()
    app.extensions["sightline_proxy_limiter"] = RateLimiter(
        storage,
        "shop",
        float(config.get("PROXY_RATE_PER_SECOND", DEFAULT_RATE_PER_SECOND)),
        float(config.get("PROXY_RATE_BURST", DEFAULT_RATE_BURST)),
        failures,
    )
    app.extensions["sightline_proxy_visitor_limiter"] = RateLimiter(
        storage,
        "visitor",
        float(config.get("PROXY_VISITOR_RATE_PER_SECOND", DEFAULT_VISITOR_RATE_PER_SECOND)),
        float(config.get("PROXY_VISITOR_RATE_BURST", DEFAULT_VISITOR_RATE_BURST)),
        failures,
    )


@bp.before_request
def _verify_signature() -> Response | None:
    secrets = [
        current_app.config["SHOPIFY_API_SECRET"],
        current_app.config["SHOPIFY_API_SECRET_OLD"],
    ]
    try:
        g.proxy = verify(list(request.args.items(multi=True)), secrets)
    except SignatureError as exc:
        return json_error(str(exc), 401)
    visitor: RateLimiter = current_app.extensions["sightline_proxy_visitor_limiter"]
    shop: RateLimiter = current_app.extensions["sightline_proxy_limiter"]
    for limiter, key in ((visitor, f"{g.proxy.shop}|{_shopper_ip()}"), (shop, g.proxy.shop)):
        if not limiter.allow(key):
            retry = str(limiter.retry_after(key))
            return json_error("too many requests", 429, {"Retry-After": retry})
    return None


@bp.get("/config")
def config() -> Response:
    response = jsonify(build_storefront_config(g.proxy.shop))
    response.headers["Cache-Control"] = f"private, max-age={CONFIG_MAX_AGE}"
    return response


@bp.post("/track")
def track() -> Response:
    if (request.content_length or 0) > MAX_BODY_BYTES:
        return json_error(f"body larger than {MAX_BODY_BYTES} bytes", 413)
    raw = request.stream.read(MAX_BODY_BYTES + 1)  # also bounds bodies sent without a length
    if len(raw) > MAX_BODY_BYTES:
        return json_error(f"body larger than {MAX_BODY_BYTES} bytes", 413)
    ingestor: Ingestor = current_app.extensions["sightline_ingest"]
    try:
        result = ingestor.track(g.proxy.shop, raw, _facts())
    except InvalidJSONError:
        return json_error("body is not valid JSON", 400)
    except BatchTooLargeError as exc:
        return json_error(str(exc), 413)
    except BatchShapeError as exc:
        return json_error(str(exc), 422)
    except WriteTimeoutError as exc:
        return json_error(str(exc), 503, {"Retry-After": "5"})
    return jsonify(result.as_json())


def _shopper_ip() -> str | None:
    # Computed once per request: the rate limit and the stored facts use the same address.
    if "shopper_ip" not in g:
        g.shopper_ip = shopper_address(
            request.headers.get("X-Forwarded-For"),
            request.remote_addr,
            int(current_app.config.get("TRUSTED_PROXY_HOPS", DEFAULT_TRUSTED_HOPS)),
        )
    return g.shopper_ip


def _facts() -> RequestFacts:
    return RequestFacts(
        ip=_shopper_ip(),
        user_agent=request.headers.get("User-Agent"),
        customer_id=g.proxy.logged_in_customer_id,
    )
