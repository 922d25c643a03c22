"""Reports for the admin dashboard."""

from __future__ import annotations

from flask import g, jsonify, request

from shopify_app.analytics.reports import ReportRangeError, dashboard
from shopify_app.api import bp
from shopify_app.auth.guards import require_id_token
from shopify_app.errors import json_error


@bp.get("/reports/dashboard")
@require_id_token
def report_dashboard():  # type: ignore[no-untyped-def]
    try:
        return jsonify(dashboard(g.shop, days=int(request.args.get("days", 30))))
    except (ValueError, ReportRangeError) as exc:
        message = str(exc) if isinstance(exc, ReportRangeError) else "days must be a whole number"
        return json_error(message, 422)
