"""Sightline's Flask application."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from flask import Flask

from shopify_app import auth, database, errors
from shopify_app.config import describe_mode, instance_dir, load_settings

log = logging.getLogger("sightline")


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app from the environment, with `config` overriding any setting."""
    # The same instance folder the default database lives in (SIGHTLINE_INSTANCE_DIR aside).
    app = Flask(__name__, instance_path=str(instance_dir()), instance_relative_config=True)
    app.config.from_mapping(load_settings())
    if config:
        app.config.from_mapping(config)
    log.info(describe_mode(app.config))

    database.init_app(app)
    errors.init_app(app)

    from shopify_app.admin import bp as admin_bp
    from shopify_app.api import bp as api_bp
    from shopify_app.favicon import bp as favicon_bp
    from shopify_app.health import bp as health_bp
    from shopify_app.pixel import bp as pixel_bp
    from shopify_app.proxy import bp as proxy_bp

    app.register_blueprint(health_bp)
    app.register_blueprint(favicon_bp)
    auth.init_app(app)  # app home, sign-in routes, security headers, admin shell context
    app.register_blueprint(proxy_bp)
    app.register_blueprint(pixel_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(admin_bp)

    from webhooks.admin_page import bp as data_requests_page_bp
    from webhooks.api import bp as data_requests_api_bp
    from webhooks.routes import bp as webhooks_bp

    app.register_blueprint(webhooks_bp)
    app.register_blueprint(data_requests_api_bp)
    app.register_blueprint(data_requests_page_bp)
    return app
