"""Group commit: request threads hand their batches to a few writer threads per process; a free
writer takes everything queued up and writes it in a single transaction (one set-based INSERT).
Each request still waits for the commit that holds its events, so a reply always means
"stored"; under load, many requests share one commit instead of paying one each.

A second commit starts beside one in flight only when enough events wait (SPREAD_EVENTS): small
requests are cheapest in one big group (a statement and a WAL flush cost ~300 µs of CPU however
few rows they carry, see bench/ingest_profile.py), large ones need several commits at once to
keep both cores busy with the per-event work (on PostgreSQL; SQLite has one writer at a time
anyway, so it gets one thread).

Webhook acknowledgements reuse it (`webhooks.acks`): a subclass overrides `write` (one
transaction for a list of items, one result per item) and `size` (what MAX_PER_COMMIT and
SPREAD_AT count)."""

from __future__ import annotations

import logging
import os
import queue
import threading
from collections.abc import Sequence
from concurrent.futures import Future
from typing import Any

from models import db
from models.database import is_postgresql
from shopify_app.errors import OUTAGE_ERRORS, first_line
from shopify_app.ingest.writer import write_storefront

log = logging.getLogger(__name__)

MAX_EVENTS_PER_COMMIT = 5000  # bounds one transaction's size and the wait of its requests
IDLE_EXIT_SECONDS = 2.0  # the thread ends when idle; the next request starts another
POSTGRESQL_WRITERS = 4  # commits in flight per process at most: enough to keep both cores busy
WRITERS_ENV = "SIGHTLINE_INGEST_WRITERS"  # overrides POSTGRESQL_WRITERS (benchmarks compare)
SPREAD_EVENTS = 200  # events waiting, beyond which another commit starts beside one in flight

Item = tuple[Any, "Future[Any]"]  # (what to write, its result once committed)


class WriteTimeoutError(RuntimeError):
    """The commit holding these events did not finish in time; they may or may not be stored."""


class GroupCommitter:
    """`submit(batch)` blocks until the batch's events are committed (or raises)."""

    MAX_PER_COMMIT = MAX_EVENTS_PER_COMMIT  # of `size`: bounds a transaction and its wait
    SPREAD_AT = SPREAD_EVENTS  # of `size` waiting: a second commit starts beside one in flight
    THREAD_NAME = "sightline-group-commit"
    # Whether a writer returns its connection to the pool whenever the queue is empty.
    RELEASE_WHEN_IDLE = True

    def __init__(self, timeout: float = 10.0, writers: int | None = None) -> None:
        self.timeout = timeout
        self.writers = writers or int(os.environ.get(WRITERS_ENV) or 0) or None
        self._queue: queue.SimpleQueue[Item] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._turn = threading.Condition()  # guards the two counters below
        self._pending = 0  # events queued and not yet taken by a writer
        self._committing = 0  # commits in flight
        self._threads: set[threading.Thread] = set()
        self._pid = os.getpid()
        self.commits = 0  # transactions so far, for tests and benchmarks

    def write(self, items: Sequence[Any]) -> list[Any]:
        """One transaction for `items`; one result per item (ingest: new events per batch)."""
        return write_storefront(items)

    def size(self, item: Any) -> int:
        return len(item.events)

    def submit(self, batch: Any) -> Any:
        """Store the batch; returns how many of its events were new. Returns after the commit."""
        size = self.size(batch)
        if not size:
            return 0
        if not db.in_transaction():
            # A waiting request must not hold a pooled connection: with as many request threads
            # as connections, the writer would find none and every request would time out.
            _close_connection()
        future: Future[Any] = Future()
        with self._lock:
            if self._pid != os.getpid():
                # After a fork (gunicorn) the parent's threads do not exist in the child.
                self._pid, self._threads = os.getpid(), set()
                self._pending = self._committing = 0
        with self._turn:
            self._pending += size
            self._queue.put((batch, future))
            if self._may_start():
                self._turn.notify()  # a writer waiting for its turn may start now
        self._ensure_thread()
        try:
            return future.result(timeout=self.timeout)
        except TimeoutError:
            raise WriteTimeoutError("the write did not commit in time") from None

    def _ensure_thread(self) -> None:
        with self._lock:
            self._threads = {t for t in self._threads if t.is_alive()}
            most = self.writers or (POSTGRESQL_WRITERS if is_postgresql(db) else 1)
            # One writer while few events wait; more only when a second commit would start.
            if len(self._threads) < min(most, 1 + self._pending // self.SPREAD_AT):
                thread = threading.Thread(target=self._run, name=self.THREAD_NAME, daemon=True)
                self._threads.add(thread)
                thread.start()

    def _run(self) -> None:
        # The thread keeps its connection between commits (reopening costs a connect, and on
        # SQLite closing the last connection checkpoints the WAL) and closes it when idle.
        try:
            while self._take_turn():
                try:
                    self._commit(self._drain())
                finally:
                    with self._turn:
                        self._committing -= 1
                        if self._pending >= self.SPREAD_AT:
                            self._turn.notify()  # room for a second commit; else this thread
                            # takes the next group itself, with no thread switch
                if self.RELEASE_WHEN_IDLE and is_postgresql(db) and self._queue.empty():
                    # Back to the pool: idle writers must not hold connections others need.
                    _close_connection()
        finally:
            _close_connection()

    def _take_turn(self) -> bool:
        """Wait until there is a group to commit: events wait and no commit is in flight, or
        enough events wait to make a second commit pay. False: idle long enough to end."""
        while True:
            with self._turn:
                if self._may_start():
                    self._committing += 1
                    return True
                if self._turn.wait(timeout=IDLE_EXIT_SECONDS):
                    continue
            with self._lock, self._turn:
                # Under the lock that submit's _ensure_thread takes: events counted before this
                # are seen here, events counted after find no thread and start one.
                if not self._pending and not self._committing:
                    self._threads.discard(threading.current_thread())
                    return False

    def _may_start(self) -> bool:
        return bool(self._pending) and (not self._committing or self._pending >= self.SPREAD_AT)

    def _drain(self) -> list[Item]:
        items: list[Item] = []
        size = 0
        while size < self.MAX_PER_COMMIT:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                break
            items.append(item)
            size += self.size(item[0])
        with self._turn:
            self._pending -= size
        return items

    def _commit(self, items: list[Item]) -> None:
        try:
            results = self.write([batch for batch, _ in items])
            self.commits += 1
        except OUTAGE_ERRORS as exc:
            # The database is down: every batch would fail alike. Each request answers 503 and
            # logs its line; this one is for debugging only.
            log.debug("group commit of %d batches failed: %s", len(items), first_line(exc))
            _close_connection()
            for _, future in items:
                future.set_exception(exc)
            return
        except Exception:
            log.exception("group commit of %d batches failed; writing them one by one", len(items))
            _close_connection()
            self._commit_each(items)
            return
        for (_, future), new in zip(items, results, strict=True):
            future.set_result(new)

    def _commit_each(self, items: list[Item]) -> None:
        # One bad batch must not fail the requests it happened to share a commit with.
        for batch, future in items:
            try:
                future.set_result(self.write([batch])[0])
                self.commits += 1
            except Exception as exc:
                _close_connection()  # it may be broken; the next write opens a fresh one
                future.set_exception(exc)


def _close_connection() -> None:
    try:
        if not db.is_closed():
            db.close()
    except Exception:  # a broken connection may fail to close; the next use opens a new one
        log.debug("closing a failed connection raised", exc_info=True)
