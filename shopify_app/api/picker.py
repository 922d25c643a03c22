"""The admin side of the picker: open a picker session (its token goes to the storefront tab),
poll it for the storefront's selection, and the form's test mode (an event's newest stored
occurrence)."""

from __future__ import annotations

import datetime as dt

from flask import current_app, g, jsonify, request

from shopify_app.api import bp
from shopify_app.api.responses import json_body
from shopify_app.auth.guards import require_id_token
from shopify_app.custom_events.service import CustomEventNotFoundError, get_event
from shopify_app.errors import json_error
from shopify_app.picker import sessions, tokens
from shopify_app.shopify.settings import current_settings


@bp.post("/picker/sessions")
@require_id_token
def open_picker_session():  # type: ignore[no-untyped-def]
    """`{"path": "/products/red-shoes"}` → the storefront URL to open (token in its fragment)."""
    path = json_body().get("path", "/")
    problem = sessions.storefront_path_problem(path)
    if problem:
        return jsonify(error=f"path {problem}", field="path", errors={"path": problem}), 422
    ttl = int(current_app.config.get("PICKER_TOKEN_TTL_SECONDS", tokens.DEFAULT_TTL_SECONDS))
    opened = sessions.open_picker(
        g.shop,
        current_settings().admin_base_url(g.shop),  # the storefront shares the shop's origin
        path,
        current_app.config["SECRET_KEY"],
        ttl,
    )
    return jsonify(
        session_id=opened.session_id,
        url=opened.url,
        expires_at=opened.expires_at.isoformat() + "Z",
    ), 201


@bp.get("/picker/sessions/<session_id>")
@require_id_token
def read_picker_session(session_id: str):  # type: ignore[no-untyped-def]
    session = sessions.find_session(g.shop, session_id[:64])
    if session is None:
        return json_error("picker session not found", 404)
    return jsonify(session=sessions.session_to_dict(session))


@bp.get("/custom-events/<event_id>/latest-occurrence")
@require_id_token
def latest_occurrence(event_id: str):  # type: ignore[no-untyped-def]
    """`?since=<ISO time>`: the newest stored occurrence of the event at or after it, or null."""
    since = None
    if request.args.get("since"):
        try:
            since = dt.datetime.fromisoformat(request.args["since"].replace("Z", "+00:00"))
        except ValueError:
            return json_error("since must be an ISO 8601 time", 422)
        if since.tzinfo is not None:
            since = since.astimezone(dt.UTC).replace(tzinfo=None)
    try:
        event = get_event(g.shop, event_id)
    except CustomEventNotFoundError:
        return json_error("custom event not found", 404)
    return jsonify(occurrence=sessions.latest_occurrence(g.shop, event, since))
