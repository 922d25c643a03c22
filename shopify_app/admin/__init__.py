"""Embedded admin pages: events, event form, settings."""

from flask import Blueprint

bp = Blueprint("admin", __name__)

from shopify_app.admin import routes  # noqa: E402, F401  (registers routes)
