"""The durable inbox: the acknowledgement stores each delivery once (by webhook id) in a single
INSERT (`webhooks.acks`); processing runs afterwards, from the table as a queue.

Processing (`process_due`) claims due rows for a lease (`claimed_until`, SKIP LOCKED on
PostgreSQL), so the worker and the serving processes' own threads (`webhooks.background`) never
process one delivery twice; a process that dies holding a claim leaves it to expire and another
claims it, without a manual step. A failure marks the row `failed` with a back-off lease before
the next attempt, up to MAX_ATTEMPTS. Shopify's retry of a delivery that failed makes it due at
once. Handlers are idempotent, and a late failure never overwrites a `processed` mark.
"""

from __future__ import annotations

import datetime as dt
import enum
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from models import WebhookDelivery, WebhookStatus, db, utcnow
from models.database import is_postgresql
from webhooks.context import Delivery, Write
from webhooks.dispatch import handler_for
from webhooks.orders import BATCHED_TOPICS, store_purchases
from webhooks.payload import PayloadError, parse_object
from webhooks.shop_facts import prefetched
from webhooks.storage import write_transaction
from webhooks.topic_fit import TopicMismatchError, check_fits

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 10  # after this many failures a delivery stays failed for a human to look at
MAX_ERROR = 2000
# Rows per claim: order deliveries in it share one write transaction (`webhooks.batch`); small
# enough that a lease (DEFAULT_LEASE) is never near its end mid-batch.
CLAIM_BATCH = 100
# A claim outlives any processing (milliseconds a row); a crashed holder's rows wait this long.
DEFAULT_LEASE = dt.timedelta(seconds=30)
BACKOFF_BASE = dt.timedelta(seconds=5)  # after failure n: 5 s x 2^(n-1), at most an hour
BACKOFF_MAX = dt.timedelta(hours=1)


class Outcome(enum.Enum):
    RECEIVED = "received"  # stored; processing follows
    PROCESSED = "processed"
    DUPLICATE = "duplicate"  # seen before and processed: nothing changes
    REJECTED = "rejected"  # bad input: malformed (kept as failed) or not fitting its headers
    FAILED = "failed"  # unexpected error: kept as failed, retried later


@dataclass(frozen=True)
class Result:
    outcome: Outcome
    error: str | None = None


def claim(limit: int = CLAIM_BATCH, lease: dt.timedelta = DEFAULT_LEASE) -> list[WebhookDelivery]:
    """Take up to `limit` due deliveries for `lease`; nobody else processes them meanwhile."""
    now = utcnow()
    due = (
        WebhookDelivery.select(WebhookDelivery.id)
        .where(
            WebhookDelivery.status.in_([WebhookStatus.RECEIVED, WebhookStatus.FAILED])
            & (WebhookDelivery.attempts < MAX_ATTEMPTS)
            & (WebhookDelivery.claimed_until.is_null() | (WebhookDelivery.claimed_until < now))
        )
        .order_by(WebhookDelivery.id)
        .limit(limit)
    )
    if is_postgresql(db):
        due = due.for_update("FOR UPDATE SKIP LOCKED")  # racing claimers take other rows
    with write_transaction():
        return list(
            WebhookDelivery.update(claimed_until=now + lease)
            .where(WebhookDelivery.id.in_(due))
            .returning(WebhookDelivery)
            .objects(WebhookDelivery)
            .execute()
        )


def process(delivery: WebhookDelivery, *, geoip_city_db: str | None = None) -> Result:
    """Run the topic's handler; on success the row is `processed` and its body dropped.

    The handler's writes and the processed mark commit together, in one short transaction
    taken after the handler has done its reading and computing.
    """
    return guarded(delivery, lambda: commit_one(delivery, prepare(delivery, geoip_city_db)))


def prepare(delivery: WebhookDelivery, geoip_city_db: str | None = None) -> Write | None:
    """The handler's reading and computing (no lock held): the writes it leads to, if any."""
    handler = handler_for(delivery.topic)
    payload = parse_object(delivery.body)
    check_fits(delivery.topic, delivery.app_id, payload)
    if handler is None:
        return None
    return handler(
        Delivery(
            shop=delivery.app_id,
            topic=delivery.topic,
            webhook_id=delivery.webhook_id,
            payload=payload,
            received_at=delivery.received_at,
            geoip_city_db=geoip_city_db,
        )
    )


def commit_one(delivery: WebhookDelivery, write: Write | None) -> None:
    with write_transaction():
        if write is not None:
            write()
        mark_processed([delivery])


def guarded(delivery: WebhookDelivery, step: Callable[[], object]) -> Result:
    """Run a step of the delivery's processing; a failure marks it failed (or rejected)."""
    try:
        step()
    except TopicMismatchError as exc:
        log.warning("webhook %s (%s) rejected: %s", delivery.webhook_id, delivery.topic, exc)
        _mark_failed(delivery, str(exc), status=WebhookStatus.REJECTED)
        return Result(Outcome.REJECTED, str(exc))
    except PayloadError as exc:
        _mark_failed(delivery, str(exc))
        return Result(Outcome.REJECTED, str(exc))
    except Exception as exc:
        log.exception("webhook %s (%s) failed", delivery.webhook_id, delivery.topic)
        _mark_failed(delivery, f"{type(exc).__name__}: {exc}")
        return Result(Outcome.FAILED, str(exc))
    return Result(Outcome.PROCESSED)


def process_claimed(
    deliveries: Sequence[WebhookDelivery], *, geoip_city_db: str | None = None
) -> list[Result]:
    """Process claimed deliveries in order. Runs of consecutive orders share one write
    transaction (one multi-row INSERT for their purchases, one UPDATE for their marks); any
    other topic is processed alone, so an order read after an uninstall still sees it."""
    results: list[Result] = []
    run: list[WebhookDelivery] = []
    for delivery in deliveries:
        if delivery.topic in BATCHED_TOPICS:
            run.append(delivery)
            continue
        results += _process_run(run, geoip_city_db)
        run = []
        results.append(process(delivery, geoip_city_db=geoip_city_db))
    return results + _process_run(run, geoip_city_db)


def _process_run(run: list[WebhookDelivery], geoip_city_db: str | None) -> list[Result]:
    if len(run) < 2:
        return [process(delivery, geoip_city_db=geoip_city_db) for delivery in run]
    results: dict[int, Result] = {}
    ready: list[tuple[int, WebhookDelivery, Write | None]] = []
    with prefetched(d.app_id for d in run):  # the shops' facts: two reads for the whole run
        for i, delivery in enumerate(run):
            prepared: list[Write | None] = []
            result = guarded(
                delivery, lambda d=delivery, p=prepared: p.append(prepare(d, geoip_city_db))
            )
            if prepared:
                ready.append((i, delivery, prepared[0]))
            else:
                results[i] = result  # refused or failed alone: the others go on
    if ready:
        try:
            with write_transaction():
                store_purchases([write for _, _, write in ready])
                mark_processed([delivery for _, delivery, _ in ready])
            results.update((i, Result(Outcome.PROCESSED)) for i, _, _ in ready)
        except Exception:
            # One bad write must not fail the others: each again in its own transaction.
            log.warning("a batch of %d deliveries failed; one by one", len(ready), exc_info=True)
            for i, delivery, write in ready:
                results[i] = guarded(delivery, lambda d=delivery, w=write: commit_one(d, w))
    return [results[i] for i in range(len(run))]


@dataclass(frozen=True)
class RetryReport:
    processed: int
    failed: int


def process_due(
    limit: int = 500,
    *,
    geoip_city_db: str | None = None,
    lease: dt.timedelta = DEFAULT_LEASE,
) -> RetryReport:
    """Claim and process due deliveries, a batch at a time, until none is due or `limit` ran."""
    processed = failed = 0
    while processed + failed < limit:
        batch = claim(min(CLAIM_BATCH, limit - processed - failed), lease)
        if not batch:
            break
        for result in process_claimed(batch, geoip_city_db=geoip_city_db):
            if result.outcome is Outcome.PROCESSED:
                processed += 1
            else:
                failed += 1
    return RetryReport(processed=processed, failed=failed)


def retry_failed_webhooks(limit: int = 500, *, geoip_city_db: str | None = None) -> RetryReport:
    """Process what is due: new deliveries, failed ones past their back-off, expired claims."""
    return process_due(limit, geoip_city_db=geoip_city_db)


def mark_processed(deliveries: Sequence[WebhookDelivery]) -> None:
    # The body is dropped once processed: it holds customer data (email, phone, address) that
    # we have no further use for, and a redaction could not reach it inside raw JSON.
    # Plain SQL: the query builder cost more than the update.
    marks = ", ".join([db.param] * len(deliveries))
    db.execute_sql(
        _MARK_PROCESSED.replace("?", db.param) + f"({marks})",
        [utcnow(), *(d.id for d in deliveries)],
    )


_MARK_PROCESSED = (
    "UPDATE webhook_deliveries SET status = 'processed', attempts = attempts + 1, "
    "processed_at = ?, last_error = NULL, body = '', claimed_until = NULL WHERE id IN "
)


def _mark_failed(
    delivery: WebhookDelivery, error: str, *, status: str = WebhookStatus.FAILED
) -> None:
    # A concurrent run (Shopify's retry beside the worker) may have processed it meanwhile.
    backoff = min(BACKOFF_MAX, BACKOFF_BASE * 2 ** min(delivery.attempts, 20))
    WebhookDelivery.update(
        status=status,
        attempts=WebhookDelivery.attempts + 1,
        last_error=error[:MAX_ERROR],
        claimed_until=utcnow() + backoff,  # the next attempt waits (or Shopify's retry)
    ).where(
        (WebhookDelivery.id == delivery.id) & (WebhookDelivery.status != WebhookStatus.PROCESSED)
    ).execute()
