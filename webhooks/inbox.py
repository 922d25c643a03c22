"""The durable inbox: store each delivery once (by webhook id), then process it; a delivery that
fails keeps its body and error and is processed again later.

Processing happens inline, right after the raw body is committed: a handler is one short
transaction (milliseconds), so the acknowledgement stays fast without a queue to run. Whatever
goes wrong after the commit leaves the row `failed` (or, if the process died, `received`), and
`retry_failed_webhooks` (`sightline webhooks-retry`) picks it up. Shopify's own retry of a
delivery that is not `processed` (same webhook id) is processed again at once: a process killed
between storing and processing never answered, so Shopify retries within seconds, and that
retry must not be taken for a duplicate. Handlers are idempotent, so a delivery processed twice
by a race between the two changes nothing; a late failure never overwrites a `processed` mark.

Before any handler runs, `topic_fit` checks that the signed body fits the unsigned headers; a
delivery that does not is kept as `rejected` and never processed or retried.
"""

from __future__ import annotations

import datetime as dt
import enum
import logging
from dataclasses import dataclass

from models import WebhookDelivery, WebhookStatus, utcnow
from webhooks.context import Delivery
from webhooks.dispatch import handler_for
from webhooks.envelope import Envelope
from webhooks.payload import PayloadError, parse_object
from webhooks.storage import write_transaction
from webhooks.topic_fit import TopicMismatchError, check_fits

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 10  # after this many failures a delivery stays failed for a human to look at
# `received` this long means the process died mid-way (processing takes milliseconds); Shopify's
# retry usually comes first, this catches deliveries Shopify stopped retrying.
STALE_AFTER = dt.timedelta(minutes=2)
MAX_ERROR = 2000


class Outcome(enum.Enum):
    PROCESSED = "processed"
    DUPLICATE = "duplicate"  # seen before and processed: nothing changes
    REJECTED = "rejected"  # bad input: malformed (kept as failed) or not fitting its headers
    FAILED = "failed"  # unexpected error: kept as failed, retried later


@dataclass(frozen=True)
class Result:
    outcome: Outcome
    error: str | None = None


def receive(envelope: Envelope, body: bytes, *, geoip_city_db: str | None = None) -> Result:
    """Store a verified delivery (committed) unless already stored, then process it."""
    fields = {
        "webhook_id": envelope.webhook_id,
        "app_id": envelope.shop,
        "topic": envelope.topic,
        "body": _storable(body),
        "received_at": utcnow(),
    }
    # Cursors are read to the end (list): on SQLite a half-read one keeps a read snapshot open,
    # and the processing transaction could then not take the write lock.
    inserted = list(
        WebhookDelivery.insert(**fields)
        .on_conflict_ignore()
        .returning(WebhookDelivery.id)
        .tuples()
        .execute()
    )
    if inserted:
        delivery = WebhookDelivery(id=inserted[0][0], **fields)
    else:
        found = list(
            WebhookDelivery.select().where(WebhookDelivery.webhook_id == envelope.webhook_id)
        )
        if not found or found[0].status == WebhookStatus.PROCESSED:
            return Result(Outcome.DUPLICATE)
        if found[0].status == WebhookStatus.REJECTED:
            return Result(Outcome.REJECTED, found[0].last_error)
        # Failed, or left `received` by a process that died before processing it: Shopify
        # retries what was not acknowledged, so process it again now, not minutes later.
        delivery = found[0]
    return process(delivery, geoip_city_db=geoip_city_db)


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


def retry_failed_webhooks(limit: int = 500, *, geoip_city_db: str | None = None) -> RetryReport:
    """Process again failed deliveries (below MAX_ATTEMPTS) and ones stuck in `received`."""
    stale = utcnow() - STALE_AFTER
    due = (
        WebhookDelivery.select()
        .where(
            (
                (WebhookDelivery.status == WebhookStatus.FAILED)
                & (WebhookDelivery.attempts < MAX_ATTEMPTS)
            )
            | (
                (WebhookDelivery.status == WebhookStatus.RECEIVED)
                & (WebhookDelivery.received_at < stale)
            )
        )
        .order_by(WebhookDelivery.received_at, WebhookDelivery.id)
        .limit(limit)
    )
    results = [process(delivery, geoip_city_db=geoip_city_db) for delivery in list(due)]
    processed = sum(r.outcome is Outcome.PROCESSED for r in results)
    return RetryReport(processed=processed, failed=len(results) - processed)


def _storable(body: bytes) -> str:
    # The text column cannot hold invalid UTF-8 or NUL (PostgreSQL); such a body is not JSON
    # anyway, and keeping a readable copy lets someone see what arrived.
    return body.decode("utf-8", errors="replace").replace("\x00", "\ufffd")


def _mark_processed(delivery: WebhookDelivery) -> None:
    # The body is dropped once processed: it holds customer data (email, phone, address) that
    # we have no further use for, and a redaction could not reach it inside raw JSON.
    WebhookDelivery.update(
        status=WebhookStatus.PROCESSED,
        attempts=WebhookDelivery.attempts + 1,
        processed_at=utcnow(),
        last_error=None,
        body="",
    ).where(WebhookDelivery.id == delivery.id).execute()


def _mark_failed(
    delivery: WebhookDelivery, error: str, *, status: str = WebhookStatus.FAILED
) -> None:
    # A concurrent run (Shopify's retry beside the worker) may have processed it meanwhile.
    WebhookDelivery.update(
        status=status,
        attempts=WebhookDelivery.attempts + 1,
        last_error=error[:MAX_ERROR],
    ).where(
        (WebhookDelivery.id == delivery.id) & (WebhookDelivery.status != WebhookStatus.PROCESSED)
    ).execute()
