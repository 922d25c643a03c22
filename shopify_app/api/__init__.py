"""Admin JSON API: every route authenticates with a Bearer ID token and is scoped to its shop."""

from flask import Blueprint, Response

from shopify_app.api.responses import add_success_flag

bp = Blueprint("api", __name__, url_prefix="/api")


@bp.after_app_request  # app-wide: routing errors (404, 405) under /api/ carry the flag too
def _success_flag(response: Response) -> Response:
    return add_success_flag(response)


from shopify_app.api import (  # noqa: E402  (registers routes)
    custom_events,  # noqa: F401
    deliveries,  # noqa: F401
    picker,  # noqa: F401
    reports,  # noqa: F401
    settings,  # noqa: F401
)
