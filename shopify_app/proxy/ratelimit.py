"""Rate limits for the storefront endpoints, kept by the `limits` library so that every process
using the same storage shares one budget.

With the default `memory://` storage each process counts alone (fine for one worker); with
several gunicorn workers or hosts, `RATE_LIMIT_STORAGE_URI=redis://host:6379/0` makes them
count together, so the limits no longer multiply with workers and hosts.

A limit of `rate` per second with bursts of `burst` is `burst` hits per `burst / rate` seconds,
counted in a sliding window (two counters per key: cheap in Redis, and no edge where a fixed
window would let twice the burst through). Should the storage fail (Redis down), requests are
allowed and one line a minute says so: these limits protect the database, and stopping every
shop's tracking because Redis is away would do more harm than a short unlimited spell.
"""

from __future__ import annotations

import logging
import math
import threading
import time

from limits import RateLimitItemPerSecond
from limits.storage import Storage, storage_from_string
from limits.strategies import SlidingWindowCounterRateLimiter

log = logging.getLogger(__name__)

DEFAULT_STORAGE_URI = "memory://"
FAILURE_LOG_INTERVAL = 60.0  # seconds between two "storage unavailable" lines


def open_storage(uri: str) -> Storage:
    """The storage a URI names: memory://, redis://host:port/db, redis+unix:///path, ..."""
    return storage_from_string(uri)


class StorageFailures:
    """One log line a minute, however many limiters share the failing storage."""

    def __init__(self, interval: float = FAILURE_LOG_INTERVAL) -> None:
        self.interval = interval
        self._last = -math.inf
        self._lock = threading.Lock()

    def report(self, exc: Exception) -> None:
        now = time.monotonic()
        with self._lock:
            if now - self._last < self.interval:
                return
            self._last = now
        text = str(exc).strip()
        log.warning(
            "rate limit storage unavailable, allowing requests: %s: %s",
            type(exc).__name__,
            text.splitlines()[0] if text else "",
        )


class RateLimiter:
    """`allow(key)` takes one hit from `key`'s budget; False once it is spent."""

    def __init__(
        self,
        storage: Storage,
        name: str,
        rate_per_second: float,
        burst: float,
        failures: StorageFailures | None = None,
    ) -> None:
        self.name = name
        burst_hits = max(1, int(burst))
        window = max(1, math.ceil(burst_hits / rate_per_second))
        self.item = RateLimitItemPerSecond(burst_hits, window, namespace="sightline")
        self._strategy = SlidingWindowCounterRateLimiter(storage)
        self._failures = failures or StorageFailures()

    def allow(self, key: str) -> bool:
        try:
            return self._strategy.hit(self.item, self.name, key)
        except Exception as exc:  # the storage's own errors (redis, network) vary by backend
            self._failures.report(exc)
            return True

    def retry_after(self, key: str) -> int:
        """Whole seconds until `key` may be allowed again (at least 1)."""
        try:
            stats = self._strategy.get_window_stats(self.item, self.name, key)
        except Exception as exc:
            self._failures.report(exc)
            return 1
        return max(1, math.ceil(stats.reset_time - time.time()))
