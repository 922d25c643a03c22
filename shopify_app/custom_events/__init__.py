"""Merchant-defined custom events and shop settings: validation and services."""
