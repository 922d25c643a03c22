"""Processing of acknowledged deliveries inside the serving process.

`sightline serve` must work alone (a one-process deployment has no worker), so each serving
process runs one thread that processes right after an acknowledgement: the request wakes it and
answers at once. The thread claims rows like the worker does, so a worker running beside it (or
another serving process) never processes the same delivery; it also takes rows whose claim
expired, so deliveries a crashed process held are picked up. It ends after a minute without
work and the next acknowledgement starts it again.

During a burst it yields: while this process acknowledges more than `defer_above` deliveries a
second (WEBHOOK_DEFER_ABOVE), processing waits, so the acknowledgements keep the CPU (Shopify
waits on them; processing can catch up after), but never more than DEFER_AT_MOST in a row, so
a sustained high rate still gets processed. Below that rate it processes at once: at 300/s
over two serving processes (150/s each) nothing is deferred, and since every process's thread
claims from the same table, one that defers leaves its rows to the others. The rate counted is
the one acknowledged, which a CPU-starved server keeps low (~450/s on the benchmark's two
shared cores under a 1,000/s burst): the threshold sits below that, not near the offered rate.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading
import time
from typing import Any

from models import db
from shopify_app.errors import OUTAGE_ERRORS, first_line
from webhooks.inbox import DEFAULT_LEASE, process_due

log = logging.getLogger(__name__)

POLL_SECONDS = 1.0  # also catches expired claims and failed rows whose back-off is over
IDLE_EXIT_SECONDS = 60.0
ROUND_LIMIT = 1000  # rows per round: the loop checks whether it should stop between rounds
DEFER_ABOVE = 250.0  # acknowledgements a second in this process: above, processing waits
DEFER_AT_MOST = 30.0  # seconds of waiting in a row; then a round runs anyway
RATE_SAMPLE_SECONDS = 0.25  # how often a deferring thread measures the rate again


class BackgroundProcessor:
    def __init__(
        self,
        geoip_city_db: str | None = None,
        lease: dt.timedelta = DEFAULT_LEASE,
        defer_above: float = DEFER_ABOVE,
    ) -> None:
        self.geoip_city_db = geoip_city_db
        self.lease = lease
        self.defer_above = defer_above  # 0: never defer
        self._acks = 0  # acknowledgements so far (each calls `wake`)
        self._sampled_at, self._sampled_acks, self._rate = 0.0, 0, 0.0
        self.deferred = 0.0  # seconds spent yielding to bursts, for tests and benchmarks
        self._wake = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._pid = os.getpid()
        self.processed = 0  # for tests and benchmarks

    def wake(self) -> None:
        """Process soon (called after an acknowledgement); starts the thread if needed."""
        self._acks += 1  # under the GIL; an increment lost to a race only blurs the rate
        self._wake.set()
        with self._lock:
            if self._pid != os.getpid():  # forked (gunicorn): the parent's thread is not here
                self._pid, self._thread = os.getpid(), None
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, args=(db.obj,), name="sightline-webhooks", daemon=True
                )
                self._thread.start()

    def _run(self, database: Any) -> None:
        idle_since = time.monotonic()
        try:
            while db.obj is database:  # a new app in this process (tests) has its own thread
                self._yield_to_burst()
                self._wake.clear()
                try:
                    report = process_due(
                        ROUND_LIMIT, geoip_city_db=self.geoip_city_db, lease=self.lease
                    )
                except OUTAGE_ERRORS as exc:  # requests log the outage; retried shortly
                    log.debug("processing webhook deliveries failed: %s", first_line(exc))
                    _close(database)
                    report = None
                except Exception:
                    log.exception("processing webhook deliveries failed; retrying")
                    _close(database)
                    report = None
                if report and report.processed + report.failed:
                    self.processed += report.processed
                    idle_since = time.monotonic()
                    continue
                if time.monotonic() - idle_since > IDLE_EXIT_SECONDS:
                    with self._lock:
                        if not self._wake.is_set():
                            self._thread = None
                            return
                self._wake.wait(POLL_SECONDS)
        finally:
            # This thread's connection belongs to the database it started with (`db` may point
            # at another one by now).
            _close(database)

    def _yield_to_burst(self) -> None:
        """Wait while acknowledgements come faster than `defer_above` a second, at most
        DEFER_AT_MOST; no wait at all below that rate."""
        if self.defer_above <= 0:
            return
        started = time.monotonic()
        while self._ack_rate() > self.defer_above and time.monotonic() - started < DEFER_AT_MOST:
            time.sleep(RATE_SAMPLE_SECONDS)  # the measuring interval, not a wait on a condition
        self.deferred += time.monotonic() - started

    def _ack_rate(self) -> float:
        # Acknowledgements a second since the last sample, sampled at most every
        # RATE_SAMPLE_SECONDS (in between, the last figure stands).
        now = time.monotonic()
        elapsed = now - self._sampled_at
        if elapsed >= RATE_SAMPLE_SECONDS:
            self._rate = (self._acks - self._sampled_acks) / elapsed
            self._sampled_at, self._sampled_acks = now, self._acks
        return self._rate


def _close(database: Any) -> None:
    try:
        if not database.is_closed():
            database.close()
    except Exception:
        log.debug("closing a failed connection raised", exc_info=True)
