"""Local Shopify stand-in: OAuth, Admin GraphQL, webhooks, app proxy and a storefront."""
