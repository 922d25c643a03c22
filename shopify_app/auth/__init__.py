"""Install and sign-in: app home, ID-token bounce, authorization-code grant, security headers."""

from flask import Blueprint, Flask

bp = Blueprint("auth", __name__)

from shopify_app.auth import headers, home, routes, shell  # noqa: E402, F401  (registers routes)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    headers.init_app(app)
    shell.init_app(app)
