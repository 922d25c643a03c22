"""The devstore WSGI app: Shopify's documented formats, served locally for tests and demos."""

from __future__ import annotations

import importlib

from flask import Flask, jsonify
from werkzeug.routing import BaseConverter

from devstore.state import DevstoreConfig, DevstoreState

# Feature modules, each exposing `bp` (a Blueprint) that reads `current_app.extensions["devstore"]`.
FEATURES: list[str] = [
    "devstore.oauth",
    "devstore.admin_api",
    "devstore.webhooks",
    "devstore.orders",
    "devstore.proxy",
    "devstore.storefront",
    "devstore.checkout",
    "devstore.pixel_host",
    "devstore.meta_graph",
]


class GraphVersionConverter(BaseConverter):
    """`v24.0`: Graph API versions, so Meta's paths never shadow a shop's storefront paths."""

    regex = r"v\d+\.\d+"


def create_devstore(config: DevstoreConfig) -> Flask:
    app = Flask(__name__)
    app.url_map.converters["graphversion"] = GraphVersionConverter
    app.extensions["devstore"] = DevstoreState(config=config)
    for module_name in FEATURES:
        app.register_blueprint(importlib.import_module(module_name).bp)

    @app.get("/_devstore")
    def about():  # type: ignore[no-untyped-def]
        return jsonify(devstore=True, app_url=config.app_url, features=FEATURES)

    return app


def state_of(app: Flask) -> DevstoreState:
    return app.extensions["devstore"]
