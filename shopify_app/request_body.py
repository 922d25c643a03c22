"""A request body read with a bound, as a JSON object: the endpoints that read the raw stream
(so a body sent without a length cannot be larger than they allow) answer alike."""

from __future__ import annotations

import json
from typing import Any

from flask import Response, request

from shopify_app.errors import json_error


def bounded_json_object(limit: int, not_an_object: str) -> dict[str, Any] | Response:
    """The body as a JSON object, or the answer to send: 413 past `limit` bytes, 400 for a body
    that is not JSON, or is JSON but not an object (with `not_an_object` as the error)."""
    raw = request.stream.read(limit + 1)
    if len(raw) > limit:
        return json_error(f"body larger than {limit} bytes", 413)
    try:
        body = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):  # RecursionError: [[[[... too deep
        return json_error("body is not valid JSON", 400)
    if not isinstance(body, dict):
        return json_error(not_an_object, 400)
    return body
