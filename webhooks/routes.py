"""`POST /webhooks`: every topic Shopify sends, verified before anything else runs."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, current_app, jsonify, request
from flask.sansio.blueprints import BlueprintSetupState
from playhouse.pool import MaxConnectionsExceeded

from shopify_app.auth.guards import app_secrets
from shopify_app.database import DB_ERRORS
from shopify_app.errors import first_line, json_error
from shopify_app.ingest.group_commit import WriteTimeoutError
from webhooks.acks import ack_committer, receive
from webhooks.background import DEFER_ABOVE, BackgroundProcessor
from webhooks.dispatch import handler_for
from webhooks.envelope import EnvelopeError, read_envelope
from webhooks.inbox import Outcome
from webhooks.verify import is_authentic, shopify_header

bp = Blueprint("webhooks", __name__)


@bp.record_once
def _processor(state: BlueprintSetupState) -> None:
    config = state.app.config
    # Concurrent acknowledgements share commits (`webhooks.acks`).
    state.app.extensions["sightline_webhook_acks"] = ack_committer()
    if config.get("WEBHOOKS_IN_SERVER", True):
        state.app.extensions["sightline_webhooks"] = BackgroundProcessor(
            config.get("GEOIP_CITY_DB"),
            dt.timedelta(seconds=config.get("WEBHOOK_CLAIM_SECONDS", 30)),
            config.get("WEBHOOK_DEFER_ABOVE", DEFER_ABOVE),
        )


@bp.post("/webhooks")
def webhooks():  # type: ignore[no-untyped-def]
    body = request.get_data(cache=False)
    if not is_authentic(body, shopify_header(request.headers, "Hmac-Sha256"), app_secrets()):
        return json_error("invalid webhook signature", 401)
    try:
        envelope = read_envelope(request.headers)
    except EnvelopeError as exc:
        return json_error(str(exc), 400)
    if handler_for(envelope.topic) is None:
        return jsonify(status="ignored", topic=envelope.topic)
    try:
        result = receive(envelope, body, current_app.extensions["sightline_webhook_acks"])
    except (*DB_ERRORS, MaxConnectionsExceeded, WriteTimeoutError) as exc:
        # Not stored, or not known to be (database down, every pooled connection busy, the
        # commit late): a 5xx makes Shopify deliver it again, and the webhook id deduplicates.
        # One line: during an outage every delivery fails the same way.
        current_app.logger.warning(
            "webhook %s not stored, answered 503: %s", envelope.webhook_id, first_line(exc)
        )
        return json_error("temporarily unavailable", 503, {"Retry-After": "5"})
    if result.outcome is Outcome.REJECTED:
        return json_error(f"unprocessable payload: {result.error}", 400)
    processor: BackgroundProcessor | None = current_app.extensions.get("sightline_webhooks")
    if processor is not None:
        processor.wake()  # processing follows the acknowledgement (`webhooks.background`)
    return jsonify(status=result.outcome.value)
