"""Shop settings: read (token masked) and change."""

from __future__ import annotations

from flask import g, jsonify

from shopify_app.api import bp
from shopify_app.api.responses import json_body, validation_error
from shopify_app.auth.guards import require_id_token
from shopify_app.custom_events.settings_service import (
    get_settings,
    settings_to_dict,
    update_settings,
)
from shopify_app.custom_events.sync import sync_after_change, sync_state
from shopify_app.custom_events.validation import ValidationError


@bp.get("/settings")
@require_id_token
def read_settings():  # type: ignore[no-untyped-def]
    return jsonify(settings=settings_to_dict(get_settings(g.shop)), sync=sync_state(g.shop))


@bp.put("/settings")
@require_id_token
def change_settings():  # type: ignore[no-untyped-def]
    try:
        settings = update_settings(g.shop, json_body())
    except ValidationError as exc:
        return validation_error(exc)
    return jsonify(settings=settings_to_dict(settings), sync=sync_after_change(g.shop))
