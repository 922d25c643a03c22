"""The delivery loop: claim due outbox rows, send them to Meta in batches, record each answer.

One round claims up to `batch_size x concurrency` rows (see `outbox.py` for the claim and its
lease), groups them per shop and pixel, and sends batches of up to 1,000 events on a few threads.
What each answer does to the rows it carried:

- delivered (2xx): `sent`, with Meta's `fbtrace_id` and `events_received`;
- transient (timeout, 5xx, 429, throttling codes): due again after an exponential backoff with
  full jitter, never sooner than Meta's `Retry-After` (or usage header); the pixel is also held
  back in this process until then, so fresh rows do not hammer a throttled pixel;
- rejected (4xx): one bad event rejects the whole batch, so the batch is split in halves until
  the bad events stand alone; they fail with Meta's message, the rest go;
- token refused (190): the shop's deliveries pause (the admin shows why) until a new token is
  saved; the rows wait, unsent;
- older than 7 days: `expired`, never sent (Meta would refuse the whole batch).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import random
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from models import AppSettings, Event, utcnow
from shopify_app.destinations import outbox
from shopify_app.destinations.meta_client import MetaAnswer, MetaClient
from shopify_app.destinations.meta_payload import PAYLOAD_COLUMNS, server_event, too_old

log = logging.getLogger(__name__)

MAX_BATCH = 1000  # Meta's limit per request
BACKOFF_BASE_SECONDS = 5.0
BACKOFF_MAX_SECONDS = 15 * 60.0
LEASE_USE = 0.75  # the share of a claim's lease a worker may spend sending it


@dataclass
class RoundResult:
    claimed: int = 0
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    expired: int = 0
    waiting: int = 0  # given back unsent: the shop is paused or the pixel throttled
    cancelled: int = 0
    requests: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, **counts: int) -> None:
        with self._lock:
            for name, count in counts.items():
                setattr(self, name, getattr(self, name) + count)


@dataclass(frozen=True)
class Batch:
    app_id: str
    pixel_id: str
    access_token: str
    test_event_code: str | None
    rows: list[tuple[int, dict[str, Any]]]  # (delivery id, server event)
    attempts: int  # the most attempts among the rows: sets the backoff
    deadline: float  # the Deliverer's clock() by which the claim's lease must still hold


@dataclass(frozen=True)
class Job:
    """Claimed rows of one shop and pixel (≤ batch size), turned into a Batch by a sender
    thread, so reading events and building payloads overlaps with other batches' requests."""

    app_id: str
    pixel_id: str
    access_token: str
    test_event_code: str | None
    rows: list[outbox.Claimed]


def backoff(attempts: int, retry_after: float | None) -> float:
    """Seconds until the next try: exponential with full jitter, at least `retry_after`."""
    ceiling = min(BACKOFF_MAX_SECONDS, BACKOFF_BASE_SECONDS * 2 ** max(0, attempts - 1))
    delay = random.uniform(ceiling / 2, ceiling)
    return max(delay, retry_after or 0.0)


def pause_shop(app_id: str, reason: str, now: dt.datetime | None = None) -> None:
    """Hold the shop's Meta deliveries until a new token is saved."""
    AppSettings.update(meta_paused_at=now or utcnow(), meta_pause_reason=reason[:1000]).where(
        (AppSettings.app_id == app_id) & AppSettings.meta_paused_at.is_null()
    ).execute()


class Deliverer:
    """Sends due deliveries; one per worker process, shared by its delivery thread."""

    def __init__(
        self,
        client: MetaClient,
        *,
        batch_size: int = MAX_BATCH,
        concurrency: int = 4,
        lease: dt.timedelta = outbox.LEASE,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client = client
        self.clock = clock  # measures how much of a claim's lease is used
        self.batch_size = max(1, min(batch_size, MAX_BATCH))
        self.concurrency = max(1, concurrency)
        self.lease = lease
        self._pool = ThreadPoolExecutor(self.concurrency, thread_name_prefix="meta-send")
        self._held: dict[str, dt.datetime] = {}  # pixel id -> not before (throttled)
        self._held_lock = threading.Lock()

    def close(self) -> None:
        self._pool.shutdown(wait=True)

    def deliver_due(self, now: dt.datetime | None = None, max_claims: int = 1000) -> RoundResult:
        """Send everything due: each of `concurrency` threads claims up to one batch, sends it,
        and claims again until nothing due is left, so one thread's claim and payloads overlap
        with the others' requests. `now` lets tests step the clock past backoffs and leases."""
        result = RoundResult()
        futures = [
            self._pool.submit(self._drain, now, result, max_claims) for _ in range(self.concurrency)
        ]
        for future in futures:
            future.result()  # a claim that failed (database down) raises here
        return result

    deliver_all_due = deliver_due  # `sightline worker --once` and tests read better with it

    def _drain(self, now: dt.datetime | None, result: RoundResult, max_claims: int) -> None:
        for _ in range(max_claims):
            at = now or utcnow()
            token = outbox.new_claim_token()
            # Stop sending well inside the lease: past it another worker may claim the rows.
            deadline = self.clock() + self.lease.total_seconds() * LEASE_USE
            claimed = outbox.claim_due(self.batch_size, token=token, now=at, lease=self.lease)
            result.add(claimed=len(claimed))
            for job in self._prepare(claimed, token, at, result):
                self._run_job(job, token, at, result, deadline)
            if len(claimed) < self.batch_size:
                return

    # ---- preparing batches -------------------------------------------------------------------

    def _prepare(
        self, claimed: Sequence[outbox.Claimed], token: str, now: dt.datetime, result: RoundResult
    ) -> list[Job]:
        by_shop: dict[str, list[outbox.Claimed]] = defaultdict(list)
        for row in claimed:
            by_shop[row.app_id].append(row)
        jobs: list[Job] = []
        for app_id, rows in by_shop.items():
            jobs += self._shop_jobs(app_id, rows, token, now, result)
        return jobs

    def _shop_jobs(
        self,
        app_id: str,
        rows: list[outbox.Claimed],
        token: str,
        now: dt.datetime,
        result: RoundResult,
    ) -> list[Job]:
        ids = [r.id for r in rows]
        settings = AppSettings.get_or_none(AppSettings.app_id == app_id)
        if settings is None or not settings.pixel_id or not settings.send_to_meta:
            result.add(cancelled=outbox.mark_cancelled(ids, token, "sending to Meta is off"))
            return []
        if not settings.access_token:
            pause_shop(app_id, "no Conversions API access token is saved", now)
            result.add(waiting=outbox.release(ids, token, at=now))
            return []
        held = self._held_until(settings.pixel_id, now)
        if held is not None:
            result.add(waiting=outbox.release(ids, token, at=held))
            return []
        return [
            Job(
                app_id,
                settings.pixel_id,
                settings.access_token,
                settings.test_event_code or None,
                rows[start : start + self.batch_size],
            )
            for start in range(0, len(rows), self.batch_size)
        ]

    def _batch(
        self, job: Job, token: str, now: dt.datetime, result: RoundResult, deadline: float
    ) -> Batch:
        """Read the job's events and build their server events; expire the too old ones."""
        events = _events_by_pk(job.app_id, [r.event_pk for r in job.rows])
        ready: list[tuple[int, dict[str, Any]]] = []
        old: list[int] = []
        for row in job.rows:
            event = events.get(row.event_pk)
            if event is None:
                continue  # erased (customers/redact) since it was queued: its row went with it
            if too_old(event, now):
                old.append(row.id)
                continue
            ready.append((row.id, server_event(event, row.event_name)))
        if old:
            result.add(expired=outbox.mark_expired(old, token))
        attempts = max(r.attempts for r in job.rows)
        return Batch(
            job.app_id,
            job.pixel_id,
            job.access_token,
            job.test_event_code,
            ready,
            attempts,
            deadline,
        )

    def _held_until(self, pixel_id: str, now: dt.datetime) -> dt.datetime | None:
        with self._held_lock:
            until = self._held.get(pixel_id)
            if until is not None and until <= now:
                del self._held[pixel_id]
                return None
            return until

    def _hold(self, pixel_id: str, until: dt.datetime) -> None:
        with self._held_lock:
            self._held[pixel_id] = max(until, self._held.get(pixel_id, until))

    # ---- sending -----------------------------------------------------------------------------

    def _run_job(
        self, job: Job, token: str, now: dt.datetime, result: RoundResult, deadline: float
    ) -> None:
        try:
            batch = self._batch(job, token, now, result, deadline)
            self._send_batch(batch, token, now, result)
        except Exception:  # the rows stay claimed; the lease brings them back
            log.exception("sending a batch to Meta failed for %s", job.app_id)

    def _send_batch(self, batch: Batch, token: str, now: dt.datetime, result: RoundResult) -> None:
        if not batch.rows:
            return
        ids = [delivery_id for delivery_id, _ in batch.rows]
        if self.clock() > batch.deadline:  # a long bisection: the rest waits for a new claim
            result.add(waiting=outbox.release(ids, token))
            return
        answer = self.client.send_events(
            batch.pixel_id,
            batch.access_token,
            [event for _, event in batch.rows],
            test_event_code=batch.test_event_code,
        )
        result.add(requests=1)
        if answer.retry_after and answer.kind in ("ok", "retry"):
            self._hold(batch.pixel_id, now + dt.timedelta(seconds=answer.retry_after))
        match answer.kind:
            case "ok":
                result.add(
                    sent=outbox.mark_sent(
                        ids,
                        token,
                        fbtrace_id=answer.fbtrace_id,
                        events_received=answer.events_received,
                    )
                )
            case "retry":
                wait = backoff(batch.attempts, answer.retry_after)
                result.add(
                    retrying=outbox.mark_retry(
                        ids,
                        token,
                        at=now + dt.timedelta(seconds=wait),
                        error=_describe(answer),
                        code=answer.code,
                        fbtrace_id=answer.fbtrace_id,
                    )
                )
            case "auth":
                what = "access token" if answer.code == 190 else "pixel ID or its permissions"
                pause_shop(batch.app_id, f"Meta refused the {what}: {answer.message}", now)
                result.add(waiting=outbox.release(ids, token, at=now))
            case _:
                self._bisect(batch, answer, token, now, result)

    def _bisect(
        self, batch: Batch, answer: MetaAnswer, token: str, now: dt.datetime, result: RoundResult
    ) -> None:
        if len(batch.rows) == 1:
            result.add(
                failed=outbox.mark_failed(
                    [batch.rows[0][0]],
                    token,
                    error=_describe(answer),
                    code=answer.code,
                    fbtrace_id=answer.fbtrace_id,
                )
            )
            return
        middle = len(batch.rows) // 2
        for half in (batch.rows[:middle], batch.rows[middle:]):
            self._send_batch(dataclasses.replace(batch, rows=half), token, now, result)


def _events_by_pk(app_id: str, pks: list[int]) -> dict[int, Any]:
    """The payload columns of the shop's events, as named tuples (cheaper than models)."""
    found: dict[int, Any] = {}
    for start in range(0, len(pks), outbox.ID_CHUNK):
        chunk = pks[start : start + outbox.ID_CHUNK]
        query = (
            Event.select(*PAYLOAD_COLUMNS)
            .where((Event.app_id == app_id) & Event.id.in_(chunk))
            .namedtuples()
        )
        for event in query:
            found[event.id] = event
    return found


def _describe(answer: MetaAnswer) -> str:
    parts = [answer.message or "no answer"]
    if answer.status:
        parts.append(f"HTTP {answer.status}")
    if answer.code is not None:
        parts.append(f"code {answer.code}" + (f"/{answer.subcode}" if answer.subcode else ""))
    return " · ".join(parts)
