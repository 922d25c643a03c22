"""The acknowledgement: a verified delivery is stored once (by webhook id) in one INSERT, and
the reply is sent only after that INSERT is committed.

Under load, concurrent request threads' deliveries share one transaction (and one fsync): the
request thread hands its row to the ingest's group committer (`shopify_app.ingest.group_commit`,
subclassed here) and waits for the commit that holds it, so it touches no pooled connection
itself. One multi-row `INSERT ... ON CONFLICT (webhook_id) DO NOTHING RETURNING webhook_id`
tells which rows were new; the others were duplicates (Shopify's retries).

Before the insert, the body must be a JSON object that fits its unsigned headers (`topic_fit`):
cheap checks that refuse (400) what no processing could ever accept. Such a delivery is kept as
`failed` (malformed) or `rejected` (not fitting) for someone to see, and never processed.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from models import WebhookDelivery, WebhookStatus, db, utcnow
from models.database import is_postgresql
from shopify_app.errors import OUTAGE_ERRORS
from shopify_app.ingest.group_commit import GroupCommitter
from webhooks.envelope import Envelope
from webhooks.inbox import MAX_ERROR, Outcome, Result
from webhooks.payload import PayloadError, parse_object
from webhooks.topic_fit import TopicMismatchError, check_fits

log = logging.getLogger(__name__)

# Rows per acknowledgement commit: bodies are a few kB each, so a commit stays a few hundred kB.
MAX_DELIVERIES_PER_COMMIT = 200
# Commits in flight per process on PostgreSQL at most. As for ingest, a second commit starts
# beside one in flight only once SPREAD_AT deliveries wait (the group committer's turns): small
# groups each pay a statement and a WAL flush. Measured before the turns existed: 1 and 2
# free-running writers alike, 4 cost ~20 % more CPU per acknowledgement. SQLite has one writer
# at a time anyway.
POSTGRESQL_ACK_WRITERS = 2


@dataclass(frozen=True)
class Arrival:
    """A verified delivery that fits its headers, as its row is inserted."""

    webhook_id: str
    shop: str
    topic: str
    body: str
    received_at: dt.datetime


class AckCommitter(GroupCommitter):
    """`submit(arrival)` returns True when its row was new, after the commit that stored it."""

    MAX_PER_COMMIT = MAX_DELIVERIES_PER_COMMIT
    THREAD_NAME = "sightline-webhook-acks"
    # Keeps its connection while it runs (it ends after IDLE_EXIT_SECONDS without work): a
    # checkout from the pool costs a round trip (peewee's liveness check), as much as the insert.
    RELEASE_WHEN_IDLE = False

    def write(self, items: Sequence[Any]) -> list[Any]:
        try:
            return store_arrivals(items)
        except OUTAGE_ERRORS:
            # The kept connection may have died while idle (the database restarted; no liveness
            # round trip checked it): once more, on a new one. Still down: the error stands
            # (503). Had the INSERT committed before the error, its rows are now duplicates:
            # stored either way.
            _discard_connection()
            return store_arrivals(items)

    def size(self, item: Any) -> int:
        return 1


def ack_committer() -> AckCommitter:
    """The committer for the database the app uses now."""
    return AckCommitter(writers=POSTGRESQL_ACK_WRITERS if is_postgresql(db) else 1)


def _discard_connection() -> None:
    try:
        if not db.is_closed():
            db.close()
    except Exception:  # a broken connection may fail to close; the next use opens a new one
        log.debug("closing a failed connection raised", exc_info=True)


def receive(envelope: Envelope, body: bytes, committer: AckCommitter | None = None) -> Result:
    """Store a verified delivery (committed) unless already stored; without a committer, in a
    transaction of its own."""
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
    arrival = Arrival(envelope.webhook_id, envelope.shop, envelope.topic, text, utcnow())
    new = committer.submit(arrival) if committer is not None else store_arrivals([arrival])[0]
    return Result(Outcome.RECEIVED if new else Outcome.DUPLICATE)


def store_arrivals(arrivals: Sequence[Arrival]) -> list[bool]:
    """Insert the rows in one transaction; True for each arrival whose row is new (the first of
    a webhook id: a repeat in the same group, or one stored before, is a duplicate)."""
    one_row = "(" + ", ".join([db.param] * 7) + ")"
    params: list[Any] = []
    for a in arrivals:
        params += [a.webhook_id, a.shop, a.topic, WebhookStatus.RECEIVED, a.body, 0, a.received_at]
    # One statement, committed on its own (autocommit): no BEGIN and COMMIT round trips. Plain
    # SQL: the query builder cost more than the insert. The cursor is read to the end (on SQLite
    # a half-read one keeps a snapshot open).
    statement = _INSERT + ", ".join([one_row] * len(arrivals)) + _ON_CONFLICT
    inserted = {row[0] for row in db.execute_sql(statement, params).fetchall()}
    new: list[bool] = []
    for arrival in arrivals:
        new.append(arrival.webhook_id in inserted)
        inserted.discard(arrival.webhook_id)  # a repeat later in this group is a duplicate
    repeated = sorted({a.webhook_id for a, n in zip(arrivals, new, strict=True) if not n})
    if repeated:
        # Shopify retries what it holds no 2xx for: a delivery that failed is due again now, not
        # after its back-off (one it never saw acknowledged is due anyway). Only after the
        # insert: a row made due is one that was stored before.
        WebhookDelivery.update(claimed_until=None).where(
            WebhookDelivery.webhook_id.in_(repeated)
            & (WebhookDelivery.status == WebhookStatus.FAILED)
        ).execute()
    return new


_INSERT = (
    "INSERT INTO webhook_deliveries "
    "(webhook_id, app_id, topic, status, body, attempts, received_at) VALUES "
)
_ON_CONFLICT = " ON CONFLICT (webhook_id) DO NOTHING RETURNING webhook_id"


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


def _storable(body: bytes) -> str:
    # The text column cannot hold invalid UTF-8 or NUL (PostgreSQL); such a body is not JSON
    # anyway, and keeping a readable copy lets someone see what arrived.
    return body.decode("utf-8", errors="replace").replace("\x00", "\ufffd")
