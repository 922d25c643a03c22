"""What the Shopify clients need from the app's configuration, read in one place."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

# (connect, read) seconds: Shopify answers the token endpoint and small GraphQL calls in well
# under a second; a stuck connection must not hold a request thread for long.
DEFAULT_TIMEOUT = (3.05, 10.0)


@dataclass(frozen=True)
class ShopifySettings:
    api_key: str
    api_secret: str
    api_version: str
    admin_url_template: str  # "https://{shop}" in production, "{devstore}/{shop}" in tests
    timeout: tuple[float, float] = DEFAULT_TIMEOUT

    def admin_base_url(self, shop: str) -> str:
        """The shop's admin origin (plus path prefix under devstore), without a trailing slash."""
        return self.admin_url_template.format(shop=shop).rstrip("/")

    def graphql_url(self, shop: str) -> str:
        return f"{self.admin_base_url(shop)}/admin/api/{self.api_version}/graphql.json"

    def token_url(self, shop: str) -> str:
        return f"{self.admin_base_url(shop)}/admin/oauth/access_token"


def current_settings() -> ShopifySettings:
    """Settings of the running app (needs an app context)."""
    config = current_app.config
    return ShopifySettings(
        api_key=config["SHOPIFY_API_KEY"],
        api_secret=config["SHOPIFY_API_SECRET"],
        api_version=config["SHOPIFY_API_VERSION"],
        admin_url_template=config["SHOPIFY_ADMIN_URL_TEMPLATE"],
    )
