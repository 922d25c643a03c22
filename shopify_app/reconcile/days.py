"""Which local day a reconciliation may look at: a real date, not in the future, not before the
shop installed the app (there was nothing of ours to compare before then)."""

from __future__ import annotations

import datetime as dt

from models import Shop
from shopify_app.analytics import localtime


class ReconcileInputError(ValueError):
    """A day that cannot be reconciled; the API answers 422 with this message."""


def parse_day(raw: str | None, shop: str, now: dt.datetime) -> dt.date:
    if not raw:
        raise ReconcileInputError("give date=YYYY-MM-DD (a day in the shop's time zone)")
    try:
        day = dt.date.fromisoformat(raw) if len(raw) == 10 else None
    except ValueError:
        day = None
    if day is None:
        raise ReconcileInputError("date must be YYYY-MM-DD")
    check_day(day, shop, now)
    return day


def check_day(day: dt.date, shop: str, now: dt.datetime) -> None:
    zone = localtime.shop_zone(shop)
    if day > localtime.today(zone, now):
        raise ReconcileInputError(f"{day} is in the future (in the shop's time zone, {zone})")
    first = install_day(shop)
    if first is None:
        raise ReconcileInputError("the shop has not installed Sightline")
    if day < first:
        raise ReconcileInputError(f"{day} is before the shop installed Sightline ({first})")


def install_day(shop: str) -> dt.date | None:
    """The shop's local date of install; None when it never installed."""
    installed = Shop.select(Shop.installed_at).where(Shop.domain == shop).scalar()
    if installed is None:
        return None
    return localtime.to_local(installed, localtime.shop_zone(shop)).date()
