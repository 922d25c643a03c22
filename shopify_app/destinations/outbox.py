"""Claiming due rows of the `deliveries` outbox, and recording what became of them.

A claim is one statement: it picks due rows (pending, `next_attempt_at` passed, the shop not
paused and its token not expired), moves their `next_attempt_at` one lease ahead and stamps a
fresh `claim_token`. On PostgreSQL the pick is `FOR UPDATE SKIP LOCKED`, so workers running side
by side never pick the same row; SQLite serialises writers, and runs one worker.

The lease is the at-least-once window: a worker that dies after Meta received a batch but
before it recorded the answer leaves those rows claimed, and they come due again when the lease
(60 s at most) runs out; another worker then sends them a second time. Meta deduplicates by
`event_id` (same event name, within 48 h), so such a resend is counted once. Every outcome is
written only where the row still carries the claim's token, so a worker that outlived its lease
never overwrites a newer claim's outcome.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from peewee import fn

from models import AppSettings, Delivery, DeliveryStatus, db, utcnow
from models.database import is_postgresql

META = "meta"
LEASE = dt.timedelta(seconds=60)
ID_CHUNK = 500  # bounded IN lists (SQLite's variable limit)


@dataclass(frozen=True)
class Claimed:
    id: int
    app_id: str
    event_pk: int
    event_name: str
    attempts: int  # including this attempt


def new_claim_token() -> str:
    return uuid.uuid4().hex


def _blocked_shops(now: dt.datetime):  # type: ignore[no-untyped-def]
    """Shops whose Meta deliveries wait: paused after a 190, or the token's expiry passed."""
    return AppSettings.select(AppSettings.app_id).where(
        AppSettings.meta_paused_at.is_null(False)
        | (AppSettings.token_expires_at.is_null(False) & (AppSettings.token_expires_at <= now))
    )


def claim_due(
    limit: int, *, token: str, now: dt.datetime | None = None, lease: dt.timedelta = LEASE
) -> list[Claimed]:
    """Claim up to `limit` due Meta deliveries for `lease`; oldest due first."""
    now = now or utcnow()
    due = (
        Delivery.select(Delivery.id)
        .where(
            (Delivery.status == DeliveryStatus.PENDING)
            & (Delivery.destination == META)
            & (Delivery.next_attempt_at <= now)
            & Delivery.app_id.not_in(_blocked_shops(now))
        )
        .order_by(Delivery.next_attempt_at)
        .limit(limit)
    )
    if is_postgresql(db):
        due = due.for_update("FOR UPDATE SKIP LOCKED")
    query = (
        Delivery.update(
            claim_token=token,
            next_attempt_at=now + lease,
            attempts=Delivery.attempts + 1,
            updated_at=now,
        )
        .where(Delivery.id.in_(due))
        .returning(
            Delivery.id, Delivery.app_id, Delivery.event, Delivery.event_name, Delivery.attempts
        )
    )
    with db.atomic():
        rows = list(query.tuples().execute())
    return [Claimed(*row) for row in rows]


def _owned(ids: Sequence[int], token: str):  # type: ignore[no-untyped-def]
    return Delivery.id.in_(list(ids)) & (Delivery.claim_token == token)


def _update(ids: Sequence[int], token: str, **fields: object) -> int:
    changed = 0
    for start in range(0, len(ids), ID_CHUNK):
        chunk = ids[start : start + ID_CHUNK]
        changed += Delivery.update(**fields).where(_owned(chunk, token)).execute()
    return changed


def mark_sent(
    ids: Sequence[int],
    token: str,
    *,
    fbtrace_id: str | None,
    events_received: int | None,
    now: dt.datetime | None = None,
) -> int:
    now = now or utcnow()
    return _update(
        ids,
        token,
        status=DeliveryStatus.SENT,
        sent_at=now,
        fbtrace_id=fbtrace_id,
        events_received=events_received,
        last_error=None,
        error_code=None,
        claim_token=None,
        updated_at=now,
    )


def mark_retry(
    ids: Sequence[int],
    token: str,
    *,
    at: dt.datetime,
    error: str,
    code: int | None = None,
    fbtrace_id: str | None = None,
) -> int:
    return _update(
        ids,
        token,
        next_attempt_at=at,
        last_error=error[:1000],
        error_code=code,
        fbtrace_id=fbtrace_id,
        claim_token=None,
        updated_at=utcnow(),
    )


def mark_failed(
    ids: Sequence[int],
    token: str,
    *,
    error: str,
    code: int | None = None,
    fbtrace_id: str | None = None,
) -> int:
    return _update(
        ids,
        token,
        status=DeliveryStatus.FAILED,
        last_error=error[:1000],
        error_code=code,
        fbtrace_id=fbtrace_id,
        claim_token=None,
        updated_at=utcnow(),
    )


def mark_expired(ids: Sequence[int], token: str) -> int:
    return _update(
        ids,
        token,
        status=DeliveryStatus.EXPIRED,
        last_error="older than 7 days: Meta refuses such events",
        claim_token=None,
        updated_at=utcnow(),
    )


def mark_cancelled(ids: Sequence[int], token: str, reason: str) -> int:
    return _update(
        ids,
        token,
        status=DeliveryStatus.CANCELLED,
        last_error=reason,
        claim_token=None,
        updated_at=utcnow(),
    )


def release(ids: Sequence[int], token: str, *, at: dt.datetime | None = None) -> int:
    """Give claimed rows back unsent (the shop paused, or its pixel is throttled)."""
    return _update(
        ids,
        token,
        next_attempt_at=at or utcnow(),
        attempts=Delivery.attempts - 1,
        claim_token=None,
        updated_at=utcnow(),
    )


def pending_count(app_id: str | None = None) -> int:
    query = Delivery.select(fn.COUNT(Delivery.id)).where(Delivery.status == DeliveryStatus.PENDING)
    if app_id is not None:
        query = query.where(Delivery.app_id == app_id)
    return query.scalar() or 0
