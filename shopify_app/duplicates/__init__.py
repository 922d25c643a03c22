"""Duplicate-source detection: other Meta pixel code the tracker found on the storefront."""
