"""Other Meta pixel code on the storefront, as the Deliveries page shows it."""

from __future__ import annotations

from flask import g, jsonify

from shopify_app.api import bp
from shopify_app.auth.guards import require_id_token
from shopify_app.duplicates.report import duplicate_sources


@bp.get("/duplicate-sources")
@require_id_token
def duplicates():  # type: ignore[no-untyped-def]
    return jsonify(duplicate_sources(g.shop))
