"""The durable inbox: the acknowledgement stores each delivery once (by webhook id) in a single
INSERT; processing runs afterwards, from the table as a queue.

Before the insert, the body must be a JSON object that fits its unsigned headers (`topic_fit`):
cheap checks that refuse (400) what no processing could ever accept. Such a delivery is kept as
`failed` (malformed) or `rejected` (not fitting) for someone to see, and never processed.

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
from dataclasses import dataclass

from models import WebhookDelivery, WebhookStatus, db, utcnow
from models.database import is_postgresql
from webhooks.context import Delivery
from webhooks.dispatch import handler_for
from webhooks.envelope import Envelope
from webhooks.payload import PayloadError, parse_object
from webhooks.storage import write_transaction
from webhooks.topic_fit import TopicMismatchError, check_fits

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 10  # after this many failures a delivery stays failed for a human to look at
MAX_ERROR = 2000
CLAIM_BATCH = 20  # rows per claim: small, so a lease is never near its end mid-batch
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


def receive(envelope: Envelope, body: bytes) -> Result:
    """Store a verified delivery (committed) unless already stored: one INSERT."""
    text = _storable(body)
    try:
        check_fits(envelope.topic, envelope.shop, parse_object(text))
    except TopicMismatchError as exc:
        log.warning("webhook %s (%s) rejected: %s", envelope.webhook_id, envelope.topic, exc)
        _store_refused(envelope, text, str(exc), WebhookStatus.REJECTED)
        return Result(Outcome.REJECTED, str(exc))
    except PayloadError as exc:
        _store_refused(envelope, text, str(exc), WebhookStatus.FAILED)
        return Result(Outcome.REJECTED, str(exc))
    # The cursor is read to the end (list): on SQLite a half-read one keeps a snapshot open.
    inserted = list(
        WebhookDelivery.insert(
            webhook_id=envelope.webhook_id,
            app_id=envelope.shop,
            topic=envelope.topic,
            body=text,
            received_at=utcnow(),
        )
        .on_conflict_ignore()
        .returning(WebhookDelivery.id)
        .tuples()
        .execute()
    )
    if inserted:
        return Result(Outcome.RECEIVED)
    # Shopify retries what it holds no 2xx for: a delivery that failed is due again now, not
    # after its back-off (one it never saw acknowledged is due anyway).
    WebhookDelivery.update(claimed_until=None).where(
        (WebhookDelivery.webhook_id == envelope.webhook_id)
        & (WebhookDelivery.status == WebhookStatus.FAILED)
    ).execute()
    return Result(Outcome.DUPLICATE)


def _store_refused(envelope: Envelope, text: str, error: str, status: str) -> None:
    # Kept for someone to see; a malformed body counts Shopify's attempts, a misfit stays as is.
    fields = {
        "webhook_id": envelope.webhook_id,
        "app_id": envelope.shop,
        "topic": envelope.topic,
        "body": text,
        "status": status,
        "attempts": 1,
        "last_error": error[:MAX_ERROR],
        "received_at": utcnow(),
    }
    query = WebhookDelivery.insert(**fields)
    if status == WebhookStatus.FAILED:
        query = query.on_conflict(
            conflict_target=[WebhookDelivery.webhook_id],
            update={WebhookDelivery.attempts: WebhookDelivery.attempts + 1},
            where=(WebhookDelivery.status == WebhookStatus.FAILED),
        )
    else:
        query = query.on_conflict_ignore()
    query.execute()


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
    handler = handler_for(delivery.topic)
    try:
        payload = parse_object(delivery.body)
        check_fits(delivery.topic, delivery.app_id, payload)
        write = None
        if handler is not None:
            write = handler(
                Delivery(
                    shop=delivery.app_id,
                    topic=delivery.topic,
                    webhook_id=delivery.webhook_id,
                    payload=payload,
                    received_at=delivery.received_at,
                    geoip_city_db=geoip_city_db,
                )
            )
        with write_transaction():
            if write is not None:
                write()
            _mark_processed(delivery)
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
        for delivery in batch:
            result = process(delivery, geoip_city_db=geoip_city_db)
            if result.outcome is Outcome.PROCESSED:
                processed += 1
            else:
                failed += 1
    return RetryReport(processed=processed, failed=failed)


def retry_failed_webhooks(limit: int = 500, *, geoip_city_db: str | None = None) -> RetryReport:
    """Process what is due: new deliveries, failed ones past their back-off, expired claims."""
    return process_due(limit, geoip_city_db=geoip_city_db)


def _storable(body: bytes) -> str:
    # The text column cannot hold invalid UTF-8 or NUL (PostgreSQL); such a body is not JSON
    # anyway, and keeping a readable copy lets someone see what arrived.
    return body.decode("utf-8", errors="replace").replace("\x00", "\ufffd")


def _mark_processed(delivery: WebhookDelivery) -> None:
    # The body is dropped once processed: it holds customer data (email, phone, address) that
    # we have no further use for, and a redaction could not reach it inside raw JSON.
    # Plain SQL: the query builder cost more than the update (this runs once per delivery).
    db.execute_sql(_MARK_PROCESSED.replace("?", db.param), (utcnow(), delivery.id))


_MARK_PROCESSED = (
    "UPDATE webhook_deliveries SET status = 'processed', attempts = attempts + 1, "
    "processed_at = ?, last_error = NULL, body = '', claimed_until = NULL WHERE id = ?"
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
