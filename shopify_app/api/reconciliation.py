"""Reconciliation API: a day's orders next to what reached Meta, and the repair of missing ones.

`date` is a day in the shop's time zone; a future day or one before install answers 422.
"""

from __future__ import annotations

from flask import current_app, g, jsonify, request

from models import utcnow
from shopify_app.api import bp
from shopify_app.auth.guards import require_id_token
from shopify_app.errors import json_error
from shopify_app.reconcile.days import ReconcileInputError, parse_day
from shopify_app.reconcile.repair import repair_day
from shopify_app.reconcile.report import reconcile_day
from shopify_app.reconcile.shopify_orders import PAGE_SIZE


def _page_size() -> int:
    return int(current_app.config.get("RECONCILE_PAGE_SIZE", PAGE_SIZE))


@bp.get("/reconciliation")
@require_id_token
def reconciliation():  # type: ignore[no-untyped-def]
    try:
        day = parse_day(request.args.get("date"), g.shop, utcnow())
    except ReconcileInputError as exc:
        return json_error(str(exc), 422)
    return jsonify(reconcile_day(g.shop, day, page_size=_page_size()).to_dict())


@bp.post("/reconciliation/repair")
@require_id_token
def reconciliation_repair():  # type: ignore[no-untyped-def]
    try:
        day = parse_day(request.args.get("date"), g.shop, utcnow())
    except ReconcileInputError as exc:
        return json_error(str(exc), 422)
    result = repair_day(
        g.shop, day, page_size=_page_size(), geoip_city_db=current_app.config.get("GEOIP_CITY_DB")
    )
    return jsonify(
        result.report.to_dict() | {"repaired": result.repaired, "not_repaired": result.not_repaired}
    )
