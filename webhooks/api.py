"""Admin JSON API for customer data requests: `GET /api/data-requests[/<id>]` (Bearer ID token)."""

from __future__ import annotations

import json
import re

from flask import Blueprint, Response, g, jsonify

from shopify_app.auth.guards import require_id_token
from shopify_app.errors import json_error
from webhooks.data_requests import get_document, list_requests

bp = Blueprint("data_requests", __name__, url_prefix="/api/data-requests")


@bp.get("")
@require_id_token
def index():  # type: ignore[no-untyped-def]
    return jsonify(data_requests=list_requests(g.shop))


@bp.get("/<int:request_pk>")
@require_id_token
def download(request_pk: int):  # type: ignore[no-untyped-def]
    found = get_document(g.shop, request_pk)
    if found is None:
        return json_error("data request not found", 404)
    safe_id = re.sub(r"[^A-Za-z0-9_-]", "_", found.request_id)
    filename = f"customer-data-request-{safe_id}.json"
    return Response(
        json.dumps(found.document, indent=2, sort_keys=True),
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
