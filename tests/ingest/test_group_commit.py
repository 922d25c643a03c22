"""The group committer: one commit in flight while small batches wait (they share the next
one), a second beside it once enough events wait, and every reply after its own commit."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator

import pytest

from shopify_app.ingest import group_commit
from shopify_app.ingest.group_commit import SPREAD_EVENTS, GroupCommitter
from shopify_app.ingest.writer import StorefrontBatch

WAIT_SECONDS = 10.0


def wait_until(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.005)


def batch(size: int, tag: str) -> StorefrontBatch:
    events = [{"event_id": f"{tag}_{i}", "event_name": "page_view"} for i in range(size)]
    return StorefrontBatch("gc.myshopify.com", {}, events, {})


class HeldWrites:
    """Stands in for write_storefront: records each group and holds it until released."""

    def __init__(self) -> None:
        self.groups: list[list[StorefrontBatch]] = []
        self.release = threading.Event()
        self._lock = threading.Lock()

    def __call__(self, batches: list[StorefrontBatch]) -> list[int]:
        with self._lock:
            self.groups.append(list(batches))
        assert self.release.wait(WAIT_SECONDS)
        return [len(b.events) for b in batches]

    def in_flight(self) -> int:
        with self._lock:
            return len(self.groups)


@pytest.fixture
def held(db, monkeypatch: pytest.MonkeyPatch) -> Iterator[HeldWrites]:  # type: ignore[no-untyped-def]
    writes = HeldWrites()
    monkeypatch.setattr(group_commit, "write_storefront", writes)
    monkeypatch.setattr(group_commit, "is_postgresql", lambda _db: True)  # up to 4 writers
    monkeypatch.setattr(group_commit, "_close_connection", lambda: None)
    yield writes
    writes.release.set()


def submit_all(committer: GroupCommitter, batches: list[StorefrontBatch]) -> list[int]:
    results: list[int] = [0] * len(batches)

    def send(i: int) -> None:
        results[i] = committer.submit(batches[i])

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(batches))]
    for thread in threads:
        thread.start()
    return results, threads  # type: ignore[return-value]


def test_small_batches_wait_for_the_commit_in_flight_and_share_the_next(held):
    committer = GroupCommitter()
    first, first_threads = submit_all(committer, [batch(1, "first")])
    wait_until(lambda: held.in_flight() == 1)
    rest, threads = submit_all(committer, [batch(1, f"r{i}") for i in range(12)])
    wait_until(lambda: committer._pending == 12)  # all queued, none taken: one commit at a time
    assert held.in_flight() == 1
    held.release.set()
    for thread in first_threads + threads:
        thread.join(WAIT_SECONDS)
    assert first == [1] and rest == [1] * 12
    assert [len(group) for group in held.groups] == [1, 12]
    assert committer.commits == 2


def test_enough_waiting_events_start_a_second_commit_beside_the_first(held):
    committer = GroupCommitter()
    _, first_threads = submit_all(committer, [batch(1, "first")])
    wait_until(lambda: held.in_flight() == 1)
    big = max(1, SPREAD_EVENTS // 4)
    _, threads = submit_all(committer, [batch(big, f"big{i}") for i in range(4)])
    wait_until(lambda: held.in_flight() == 2)  # the first is still held
    held.release.set()
    for thread in first_threads + threads:
        thread.join(WAIT_SECONDS)
    assert sum(len(b.events) for group in held.groups for b in group) == 1 + 4 * big
