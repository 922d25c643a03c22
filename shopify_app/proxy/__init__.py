"""Storefront-facing endpoints behind Shopify's app proxy (`/apps/sightline/*` on the shop's
own domain): the tracker's configuration and its event batches."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("proxy", __name__, url_prefix="/proxy")

from shopify_app.proxy import picker, routes  # noqa: E402, F401  (registers the views on bp)
