"""Shared request and response shapes for the admin API."""

from __future__ import annotations

import json
from typing import Any

from flask import Response, current_app, jsonify, request
from werkzeug.exceptions import BadRequest

from shopify_app.custom_events.validation import ValidationError


class BadJsonError(BadRequest):
    description = "request body must be a JSON object"


def json_body() -> dict[str, Any]:
    """The request's JSON object, or a 400 naming the problem."""
    try:
        body = json.loads(request.get_data())
    except (ValueError, RecursionError):  # RecursionError: [[[[... nested past the limit
        raise BadJsonError() from None
    if not isinstance(body, dict):
        raise BadJsonError()
    return body


def validation_error(exc: ValidationError, status: int = 422) -> tuple[Response, int]:
    """422 naming the first bad field, with every field's message for forms."""
    return jsonify(error=exc.message, field=exc.field, errors=exc.errors), status


def add_success_flag(response: Response) -> Response:
    """The seed's reply shape on every /api reply: `"success"` beside the body's own keys.

    One place instead of every view and error path (401s from the guard, 404s, 429s, 400s for
    bad JSON), so one client handles every reply: `success` is true exactly for 2xx and 3xx.
    """
    if not request.path.startswith("/api/") or response.direct_passthrough:
        return response
    if not response.is_json or "attachment" in response.headers.get("Content-Disposition", ""):
        return response  # a downloaded file is the document itself, not a reply
    body = response.get_json(silent=True)
    if isinstance(body, dict) and "success" not in body:
        body["success"] = response.status_code < 400
        response.set_data(current_app.json.dumps(body))
    return response
