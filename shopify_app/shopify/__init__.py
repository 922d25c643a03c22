"""Shopify's Admin API: OAuth token endpoint, GraphQL client, token storage, config sync."""
