"""Conversions API deliveries: the shop's figures and errors, and a test event sent to Meta."""

from __future__ import annotations

from flask import current_app, g, jsonify

from shopify_app.api import bp
from shopify_app.auth.guards import require_id_token
from shopify_app.custom_events.settings_service import get_settings
from shopify_app.destinations.credentials import send_test_event
from shopify_app.destinations.report import overview
from shopify_app.destinations.service import meta_client


@bp.get("/deliveries")
@require_id_token
def deliveries():  # type: ignore[no-untyped-def]
    return jsonify(overview(g.shop))


@bp.post("/meta/test-event")
@require_id_token
def test_event():  # type: ignore[no-untyped-def]
    result = send_test_event(meta_client(current_app.config), get_settings(g.shop))
    body = {"ok": result.ok, "message": result.message, "meta": result.answer}
    if not result.answer:  # nothing was sent: the shop must save something first
        return jsonify(error=result.message, **body), 422
    # Meta's refusal is an answer worth showing, not a failure of this request.
    return jsonify(body), 200
