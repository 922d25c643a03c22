"""Shared request and response shapes for the admin API."""

from __future__ import annotations

import json
from typing import Any

from flask import Response, jsonify, request
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


def validation_error(exc: ValidationError) -> tuple[Response, int]:
    """422 naming the first bad field, with every field's message for forms."""
    return jsonify(error=exc.message, field=exc.field, errors=exc.errors), 422
