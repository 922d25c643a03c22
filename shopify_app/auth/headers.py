"""Security headers on every response: who may frame us, and no content sniffing."""

from __future__ import annotations

from flask import Flask, Response, g

ADMIN_ORIGIN = "https://admin.shopify.com"


def frame_ancestors() -> str:
    """The shop's admin (and admin.shopify.com) for embedded documents, nobody otherwise."""
    shop = g.get("frame_shop")
    if shop is None and g.get("id_token") is not None:
        shop = g.id_token.shop  # a page verified by another guard is embedded too
    if shop:
        return f"frame-ancestors https://{shop} {ADMIN_ORIGIN};"
    return "frame-ancestors 'none';"


def init_app(app: Flask) -> None:
    @app.after_request
    def _security_headers(response: Response) -> Response:
        # A view that set its own policy (e.g. storefront-facing HTML) knows better.
        response.headers.setdefault("Content-Security-Policy", frame_ancestors())
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        # ID tokens ride in our URLs: never send them to other origins as a Referer.
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        return response
