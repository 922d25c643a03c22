"""Typed failures of calls to Shopify. Messages never contain tokens or secrets."""

from __future__ import annotations


class ShopifyError(Exception):
    """Base class: a call to Shopify did not produce a usable answer."""


class ShopifyUnavailableError(ShopifyError):
    """Shopify could not be reached, timed out, or answered with a server error."""


class ShopifyThrottledError(ShopifyError):
    """Still rate-limited (HTTP 429 or GraphQL THROTTLED) after the bounded retries."""


class ShopifyHttpError(ShopifyError):
    """An unexpected HTTP status from Shopify."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


class AdminUnauthorizedError(ShopifyHttpError):
    """The Admin API rejected the access token (HTTP 401): expired, revoked or unknown."""

    def __init__(self) -> None:
        super().__init__("the Admin API rejected the access token", 401)


class GraphQLError(ShopifyError):
    """The GraphQL response carried top-level `errors`."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("GraphQL error: " + "; ".join(messages))
        self.messages = messages


class UserErrorsError(ShopifyError):
    """A mutation answered with `userErrors`."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("Shopify refused the change: " + "; ".join(messages))
        self.messages = messages


class OAuthError(ShopifyError):
    """The token endpoint refused a grant; `code` is Shopify's `error` value."""

    # ID token bad or expired: get a fresh one.
    INVALID_SUBJECT_TOKEN = "invalid_subject_token"  # noqa: S105
    INVALID_GRANT = "invalid_grant"  # refresh token or code expired/revoked: re-authorise
    INVALID_CLIENT = "invalid_client"  # wrong credentials, or the app was uninstalled

    def __init__(self, code: str, status: int) -> None:
        super().__init__(f"Shopify refused the token request: {code} (HTTP {status})")
        self.code = code
        self.status = status


class ShopNotInstalledError(ShopifyError):
    """No usable offline token for the shop: never installed, uninstalled, or needs re-auth."""
