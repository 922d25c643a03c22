"""Sightline's Shopify web pixel, server side: the per-shop key (`keys`), creating or updating
the pixel on install (`install`), Shopify's event payloads checked and turned into events
(`events`), and `POST /pixel/events`, where the pixel sends them (`routes`).

The pixel posts to the app directly rather than through the app proxy: it runs in Shopify's
sandbox (a web worker whose origin is not the storefront's) on checkout too, where a request to
the shop's `/apps/...` path is cross-origin and Shopify documents no CORS answers from the proxy
(README: "Checkout events: the web pixel"). The key in the pixel's settings says which shop it
speaks for; the app keeps only its hash.
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("pixel", __name__, url_prefix="/pixel")

from shopify_app.pixel import routes  # noqa: E402, F401  (registers the views on bp)
