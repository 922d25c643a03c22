"""Admin GraphQL on behalf of an installed shop: picks its token, refreshes once on a 401."""

from __future__ import annotations

from typing import Any

from shopify_app.shopify import graphql, tokens
from shopify_app.shopify.errors import AdminUnauthorizedError
from shopify_app.shopify.settings import ShopifySettings, current_settings


def admin_graphql(
    shop: str,
    query: str,
    variables: dict[str, Any] | None = None,
    *,
    settings: ShopifySettings | None = None,
) -> dict[str, Any]:
    """Run `query` for `shop` and return `data`; raises ShopifyError subclasses.

    A token can be revoked or expire early; one 401 earns one refresh and one retry, never more.
    """
    settings = settings or current_settings()
    token = tokens.access_token_for(settings, shop)
    try:
        return graphql.execute(settings, shop, token.value, query, variables)
    except AdminUnauthorizedError:
        token = tokens.refresh_rejected_token(settings, shop, token)
        return graphql.execute(settings, shop, token.value, query, variables)
