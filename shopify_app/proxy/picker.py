"""The storefront picker's endpoints behind the app proxy (`/apps/sightline/picker/*`).

The proxy blueprint has already verified Shopify's signature (so `g.proxy.shop` is the shop
whose domain the request came through); on top of that every call carries the picker token,
which must be unexpired and of that same shop. A token of another shop, or an expired one, is
refused with 403 and changes nothing.
"""

from __future__ import annotations

from flask import Response, current_app, g, jsonify, request

from shopify_app.errors import json_error
from shopify_app.picker import sessions, tokens
from shopify_app.proxy import bp
from shopify_app.request_body import bounded_json_object

MAX_SELECTION_BYTES = 8 * 1024


def _claims(token: object) -> tokens.PickerClaims | Response:
    try:
        return tokens.verify(token, current_app.config["SECRET_KEY"], g.proxy.shop)
    except tokens.PickerTokenError as exc:
        return json_error(str(exc), 403)


@bp.get("/picker/session")
def picker_session() -> Response:
    """The picker asks before it starts: is my token good here, and until when?"""
    claims = _claims(request.args.get("token"))
    if isinstance(claims, Response):
        return claims
    session = sessions.find_session(claims.shop, claims.session_id)
    if session is None:
        return json_error("picker session not found", 403)
    response = jsonify(session=sessions.session_to_dict(session))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/picker/selection")
def picker_selection() -> Response:
    """ "Use this": the selector, trigger and page, held for the admin tab to collect."""
    body = bounded_json_object(MAX_SELECTION_BYTES, "body must be a JSON object")
    if isinstance(body, Response):
        return body
    claims = _claims(body.get("token"))
    if isinstance(claims, Response):
        return claims
    try:
        selection = sessions.clean_selection(body)
    except sessions.SelectionError as exc:
        return json_error(str(exc), 422)
    seq = sessions.record_selection(claims, selection)
    if seq is None:
        return json_error("picker session expired", 403)
    return jsonify(received=True, seq=seq)
