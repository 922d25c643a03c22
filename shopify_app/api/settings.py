"""Shop settings: read (token masked) and change."""

from __future__ import annotations

from flask import current_app, g, jsonify

from shopify_app.api import bp
from shopify_app.api.responses import json_body, validation_error
from shopify_app.auth.guards import require_id_token
from shopify_app.custom_events.settings_service import (
    get_settings,
    settings_to_dict,
    update_settings,
)
from shopify_app.custom_events.sync import sync_after_change, sync_state
from shopify_app.custom_events.validation import ValidationError, validate_settings
from shopify_app.destinations.credentials import check_credentials, credentials_to_check
from shopify_app.destinations.service import meta_client


@bp.get("/settings")
@require_id_token
def read_settings():  # type: ignore[no-untyped-def]
    return jsonify(settings=settings_to_dict(get_settings(g.shop)), sync=sync_state(g.shop))


@bp.put("/settings")
@require_id_token
def change_settings():  # type: ignore[no-untyped-def]
    body = json_body()
    try:
        # A new pixel id or token is checked with Meta first: a refusal saves nothing.
        check = None
        pair = credentials_to_check(get_settings(g.shop), validate_settings(body))
        if pair is not None:
            check = check_credentials(meta_client(current_app.config), *pair)
            if check.verdict == "refused" and check.field:
                raise ValidationError({check.field: check.message})
        settings = update_settings(g.shop, body)
    except ValidationError as exc:
        return validation_error(exc)
    return jsonify(
        settings=settings_to_dict(settings),
        sync=sync_after_change(g.shop),
        meta_check=check.as_json() if check else None,
    )
