"""`/favicon.ico`: browsers ask for it at the root whatever the page links, so it is answered
(the ICO rendered from static/favicon.svg by docs/make_favicon.py) instead of a 404 per visit."""

from __future__ import annotations

from flask import Blueprint, Response, current_app

bp = Blueprint("favicon", __name__)


@bp.get("/favicon.ico")
def favicon() -> Response:
    response = current_app.send_static_file("favicon.ico")
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response
