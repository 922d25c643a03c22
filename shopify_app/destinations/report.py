"""What the admin's Deliveries page shows: per day delivered, pending, failed and expired; the
latest errors with Meta's trace ids and the events they concern; whether the shop is paused."""

from __future__ import annotations

import datetime as dt
from typing import Any

from peewee import fn

from models import AppSettings, Delivery, DeliveryStatus, Event, utcnow

TOKEN_WARNING_DAYS = 7
COUNTED = (
    DeliveryStatus.SENT,
    DeliveryStatus.PENDING,
    DeliveryStatus.FAILED,
    DeliveryStatus.EXPIRED,
    DeliveryStatus.CANCELLED,
)


def meta_status(app_id: str, now: dt.datetime | None = None) -> dict[str, Any]:
    """Pause and token facts for banners: paused (and why), token expired or expiring soon."""
    now = now or utcnow()
    settings = AppSettings.get_or_none(AppSettings.app_id == app_id)
    if settings is None:
        return {
            "paused": False,
            "reason": None,
            "token_expired": False,
            "token_expires_soon": False,
        }
    expires = settings.token_expires_at
    return {
        "paused": bool(settings.meta_paused_at),
        "reason": settings.meta_pause_reason,
        "paused_at": settings.meta_paused_at.isoformat() + "Z" if settings.meta_paused_at else None,
        "token_expired": bool(expires and expires <= now),
        "token_expires_soon": bool(
            expires and now < expires <= now + dt.timedelta(days=TOKEN_WARNING_DAYS)
        ),
        "token_expires_at": expires.isoformat() + "Z" if expires else None,
    }


def overview(app_id: str, days: int = 14, errors: int = 20) -> dict[str, Any]:
    """The Deliveries page's figures for one shop (days by when the event was queued)."""
    now = utcnow()
    since = (now - dt.timedelta(days=days - 1)).replace(hour=0, minute=0, second=0, microsecond=0)
    day = fn.DATE(Delivery.created_at)
    rows = (
        Delivery.select(day.alias("day"), Delivery.status, fn.COUNT(Delivery.id).alias("n"))
        .where((Delivery.app_id == app_id) & (Delivery.created_at >= since))
        .group_by(day, Delivery.status)
        .tuples()
    )
    per_day: dict[str, dict[str, int]] = {}
    for when, status, count in rows:
        key = str(when)[:10]
        per_day.setdefault(key, {s: 0 for s in COUNTED})[status] = count
    return {
        "days": [{"day": key, **per_day[key]} for key in sorted(per_day, reverse=True)],
        "totals": {status: sum(d.get(status, 0) for d in per_day.values()) for status in COUNTED},
        "errors": latest_errors(app_id, errors),
        "meta": meta_status(app_id, now),
    }


def latest_errors(app_id: str, limit: int = 20) -> list[dict[str, Any]]:
    """The newest failed or retrying rows with Meta's message, trace id and the event."""
    query = (
        Delivery.select(Delivery, Event.event_id, Event.event_name, Event.created_at)
        .join(Event)
        .where((Delivery.app_id == app_id) & Delivery.last_error.is_null(False))
        .where(Delivery.status.in_([DeliveryStatus.FAILED, DeliveryStatus.PENDING]))
        .order_by(Delivery.updated_at.desc(), Delivery.id.desc())
        .limit(limit)
    )
    return [
        {
            "status": d.status,
            "error": d.last_error,
            "code": d.error_code,
            "fbtrace_id": d.fbtrace_id,
            "attempts": d.attempts,
            "meta_event": d.event_name,
            "event_id": d.event.event_id,
            "event_name": d.event.event_name,
            "at": d.updated_at.isoformat() + "Z",
        }
        for d in query
    ]
