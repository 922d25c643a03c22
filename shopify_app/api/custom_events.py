"""Custom events: the seed's action contract and REST beside it."""

from __future__ import annotations

from typing import Any

from flask import g, jsonify, request

from shopify_app.api import bp
from shopify_app.api.responses import json_body, validation_error
from shopify_app.auth.guards import require_id_token
from shopify_app.custom_events.service import (
    CustomEventNotFoundError,
    NameTakenError,
    create_event,
    delete_event,
    event_to_dict,
    get_event,
    list_events,
    parse_id,
    update_event,
)
from shopify_app.custom_events.sync import sync_after_change
from shopify_app.custom_events.validation import ValidationError
from shopify_app.errors import json_error

SEED_ACTIONS = ("create", "update", "delete")


@bp.get("/custom-events")
@require_id_token
def list_custom_events():  # type: ignore[no-untyped-def]
    """The seed contract: the shop's active events, newest first; `?include_inactive=1` for all."""
    refusal = _foreign_app_id(request.args.get("appId"))
    if refusal:
        return refusal
    active_only = request.args.get("include_inactive") not in ("1", "true")
    events = list_events(g.shop, active_only=active_only)
    return jsonify(success=True, events=[event_to_dict(e) for e in events])


@bp.post("/custom-events")
@require_id_token
def custom_event_action():  # type: ignore[no-untyped-def]
    """The seed contract: {"action": "create"|"update"|"delete", "appId"?, "eventData": {...}}."""
    body = json_body()
    refusal = _foreign_app_id(body.get("appId"))
    if refusal:
        return refusal
    action, event_data = body.get("action"), body.get("eventData")
    if action not in SEED_ACTIONS:
        return json_error("action must be one of create, update, delete", 400)
    if not isinstance(event_data, dict):
        return json_error("eventData must be a JSON object", 400)
    if action == "create":
        return _apply(lambda: create_event(g.shop, event_data), status=201)
    if "id" not in event_data:
        return json_error("eventData.id is required for update and delete", 400)
    if action == "update":
        return _apply(lambda: update_event(g.shop, event_data["id"], event_data))
    return _delete(event_data["id"])


@bp.get("/custom-events/<event_id>")
@require_id_token
def read_custom_event(event_id: str):  # type: ignore[no-untyped-def]
    try:
        return jsonify(event=event_to_dict(get_event(g.shop, event_id)))
    except CustomEventNotFoundError:
        return json_error("custom event not found", 404)


@bp.put("/custom-events/<event_id>")
@require_id_token
def replace_custom_event(event_id: str):  # type: ignore[no-untyped-def]
    changes = json_body()
    return _apply(lambda: update_event(g.shop, event_id, changes))


@bp.delete("/custom-events/<event_id>")
@require_id_token
def remove_custom_event(event_id: str):  # type: ignore[no-untyped-def]
    return _delete(event_id)


def _foreign_app_id(app_id: Any):  # type: ignore[no-untyped-def]
    """The seed passes `appId`; ours comes from the token. Any other shop's is refused (403)."""
    if app_id is None or app_id == g.shop:
        return None
    return json_error("appId does not match the shop of the session token", 403)


def _apply(change: Any, status: int = 200):  # type: ignore[no-untyped-def]
    try:
        event = change()
    except NameTakenError as exc:  # the seed's answer to a duplicate name
        return validation_error(exc, status=400)
    except ValidationError as exc:
        return validation_error(exc)
    except CustomEventNotFoundError:
        return json_error("custom event not found", 404)
    return jsonify(event=event_to_dict(event), sync=sync_after_change(g.shop)), status


def _delete(event_id: Any):  # type: ignore[no-untyped-def]
    try:
        delete_event(g.shop, event_id)
    except CustomEventNotFoundError:
        return json_error("custom event not found", 404)
    return jsonify(success=True, deleted=parse_id(event_id), sync=sync_after_change(g.shop))
