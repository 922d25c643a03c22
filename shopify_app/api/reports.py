"""Reports API: parse and authenticate, call an analytics service, shape the reply.

Every route reads `g.shop` from the verified ID token; bad parameters answer 422 JSON.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Response, g, jsonify, request, stream_with_context

from models import utcnow
from shopify_app.analytics import funnel as funnels
from shopify_app.analytics import live as live_events
from shopify_app.analytics import localtime, reports
from shopify_app.analytics.period import (
    ReportInputError,
    parse_dimension,
    parse_filters,
    parse_period,
)
from shopify_app.api import bp
from shopify_app.auth.guards import require_id_token
from shopify_app.errors import json_error


def _report(view: Callable[..., Any]) -> Callable[..., Any]:
    """Bearer-authenticated; a ReportInputError becomes 422 {"error": ...}."""

    @wraps(view)
    @require_id_token
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return view(*args, **kwargs)
        except ReportInputError as exc:
            return json_error(str(exc), 422)

    return wrapper


def _period():  # type: ignore[no-untyped-def]
    return parse_period(request.args, localtime.shop_zone(g.shop), utcnow())


def _limit(default: int, most: int) -> int:
    raw = request.args.get("limit", str(default))
    if not (raw.isascii() and raw.isdigit() and 1 <= int(raw) <= most):
        raise ReportInputError(f"limit must be 1 to {most}")
    return int(raw)


@bp.get("/reports/dashboard")
@_report
def report_dashboard():  # type: ignore[no-untyped-def]
    raw = request.args.get("days", "30")
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 4):
        raise ReportInputError("days must be a whole number")
    return jsonify(reports.dashboard(g.shop, days=int(raw)))


@bp.get("/reports/overview")
@_report
def report_overview():  # type: ignore[no-untyped-def]
    filters = parse_filters(request.args.get("filter"))
    return jsonify(reports.overview(g.shop, _period(), filters))


@bp.get("/reports/timeseries")
@_report
def report_timeseries():  # type: ignore[no-untyped-def]
    filters = parse_filters(request.args.get("filter"))
    interval = request.args.get("interval", "day")
    return jsonify(reports.timeseries(g.shop, _period(), interval, filters))


@bp.get("/reports/breakdown")
@_report
def report_breakdown():  # type: ignore[no-untyped-def]
    dimension = parse_dimension(request.args.get("dimension"))
    filters = parse_filters(request.args.get("filter"))
    return jsonify(reports.breakdown(g.shop, _period(), dimension, filters, _limit(50, 500)))


@bp.get("/reports/funnel")
@_report
def report_funnel():  # type: ignore[no-untyped-def]
    steps = funnels.parse_steps(request.args.get("steps"))
    return jsonify(funnels.funnel(g.shop, _period(), steps))


@bp.get("/reports/pages")
@_report
def report_pages():  # type: ignore[no-untyped-def]
    return jsonify(reports.pages(g.shop, _period(), _limit(20, 500)))


@bp.get("/reports/attribution")
@_report
def report_attribution():  # type: ignore[no-untyped-def]
    return jsonify(reports.attribution(g.shop, _period(), _limit(50, 500)))


@bp.get("/reports/live")
@_report
def report_live():  # type: ignore[no-untyped-def]
    minutes = live_events.parse_minutes(request.args.get("minutes"))
    return jsonify(live_events.live(g.shop, minutes, utcnow()))


@bp.get("/reports/dimensions")
@_report
def report_dimensions():  # type: ignore[no-untyped-def]
    return jsonify(dimensions=reports.dimensions(), events=reports.event_labels(g.shop))


@bp.get("/reports/export.csv")
@_report
def report_export():  # type: ignore[no-untyped-def]
    period = _period()
    filename = f"sightline-events-{period.first.isoformat()}-{period.last.isoformat()}.csv"
    return Response(
        stream_with_context(live_events.export_csv(g.shop, period)),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
