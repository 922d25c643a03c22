"""Shopify webhooks: verification, a durable inbox, dispatch by topic, and the topic handlers
(server-side purchases, uninstall, and the privacy-law compliance topics)."""
