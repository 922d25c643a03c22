"""Admin JSON API: every route authenticates with a Bearer ID token and is scoped to its shop."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api")

from shopify_app.api import custom_events, reports, settings  # noqa: E402, F401  (registers routes)
