"""Reconciliation: per shop and local day, Shopify's orders next to our purchases and what
reached Meta; missing purchases repaired through the webhook's own code path."""
