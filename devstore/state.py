"""Everything devstore remembers, in memory: shops, tokens, metafields, carts, received events."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any


@dataclass
class DevstoreConfig:
    api_key: str
    api_secret: str
    app_url: str  # where the app under test listens, e.g. http://127.0.0.1:5001
    api_version: str = "2026-10"
    access_token_ttl: int = 3600  # seconds, as Shopify's expiring offline tokens
    refresh_token_ttl: int = 90 * 24 * 3600
    app_handle: str = "sightline"
    proxy_subpath: str = "sightline"


@dataclass
class DevstoreState:
    """Mutable state behind one lock; each feature module keeps its own section."""

    config: DevstoreConfig
    lock: threading.RLock = field(default_factory=threading.RLock)
    # Per-feature sections, keyed by whatever that feature needs (shop domain, token, ...).
    sections: dict[str, dict[str, Any]] = field(default_factory=dict)

    def section(self, name: str) -> dict[str, Any]:
        with self.lock:
            return self.sections.setdefault(name, {})
