"""Process-wide locks keyed by name (e.g. per shop), so threads of one worker take turns."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

_guard = threading.Lock()
_locks: dict[str, threading.Lock] = {}


@contextmanager
def keyed_lock(key: str) -> Iterator[None]:
    """Hold the lock for `key`. Locks are never dropped: one per shop and purpose is tiny."""
    with _guard:
        lock = _locks.setdefault(key, threading.Lock())
    with lock:
        yield
