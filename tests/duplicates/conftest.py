"""Duplicate-source tests run the app and devstore over HTTP, with a real Chromium."""

from tests.live import live  # noqa: F401  (fixture)
