"""Per-shop token buckets, in process: a runaway theme (or someone replaying a signed URL within
its 90 s window) cannot flood the database. Each gunicorn worker keeps its own buckets, so the
effective limit is the per-worker rate times the number of workers."""

from __future__ import annotations

import threading
import time

MAX_BUCKETS = 50_000  # bounds memory; full buckets are forgotten first


class RateLimiter:
    def __init__(self, rate_per_second: float, burst: float) -> None:
        self.rate = rate_per_second
        self.burst = burst
        self._lock = threading.Lock()
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, last refill)

    def allow(self, key: str, now: float | None = None) -> bool:
        """Take one token from `key`'s bucket; False when it is empty."""
        now = time.monotonic() if now is None else now
        with self._lock:
            tokens, last = self._buckets.get(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - last) * self.rate)
            allowed = tokens >= 1
            if allowed:
                tokens -= 1
            if len(self._buckets) >= MAX_BUCKETS:
                self._forget_full(now)
            self._buckets[key] = (tokens, now)
            return allowed

    def retry_after(self) -> int:
        """Seconds until a token is back, rounded up."""
        return max(1, int(1 / self.rate + 0.999))

    def _forget_full(self, now: float) -> None:
        self._buckets = {
            key: (tokens, last)
            for key, (tokens, last) in self._buckets.items()
            if tokens + (now - last) * self.rate < self.burst
        }
