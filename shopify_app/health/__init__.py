"""Liveness and database health for load balancers."""

from flask import Blueprint, jsonify

from shopify_app.database import ping

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():  # type: ignore[no-untyped-def]
    if ping():
        return jsonify(status="ok", database="ok")
    return jsonify(status="unavailable", database="unreachable"), 503
