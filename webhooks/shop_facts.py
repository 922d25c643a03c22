"""What an order's processing reads about its shop: whether the app is uninstalled there, and
the settings that shape the purchase. One order reads them for its shop; a batch of orders
(`webhooks.inbox.process_claimed`) reads them once for all its shops (`prefetched`), since two
reads per order cost more than the rest of its processing together."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from models import ShopState, db


@dataclass(frozen=True)
class ShopFacts:
    uninstalled: bool
    record_location: bool | None  # None: the shop has no settings row (the defaults apply)
    consent_when_unknown: str | None


_prefetched: ContextVar[dict[str, ShopFacts] | None] = ContextVar("shop_facts", default=None)


def facts(shop: str) -> ShopFacts:
    """The shop's facts: prefetched for this batch, or read now."""
    known = _prefetched.get()
    if known is not None and shop in known:
        return known[shop]
    return read([shop])[shop]


@contextmanager
def prefetched(shops: Iterable[str]) -> Iterator[None]:
    """Within the block, `facts` answers for these shops without reading again."""
    token = _prefetched.set(read(shops))
    try:
        yield
    finally:
        _prefetched.reset(token)


def read(shops: Iterable[str]) -> dict[str, ShopFacts]:
    """Two queries whatever the number of shops. Plain SQL: the query builder cost more."""
    wanted = sorted(set(shops))
    marks = ", ".join([db.param] * len(wanted))
    states = dict(db.execute_sql(_SHOP_STATES + f"({marks})", wanted).fetchall())
    settings = {
        app_id: (record_location, consent)
        for app_id, record_location, consent in db.execute_sql(
            _SETTINGS + f"({marks})", wanted
        ).fetchall()
    }
    return {
        shop: ShopFacts(
            uninstalled=states.get(shop) == ShopState.UNINSTALLED,
            record_location=settings[shop][0] if shop in settings else None,
            consent_when_unknown=settings[shop][1] if shop in settings else None,
        )
        for shop in wanted
    }


_SHOP_STATES = "SELECT domain, state FROM shops WHERE domain IN "
_SETTINGS = (
    "SELECT app_id, record_location, consent_when_unknown FROM app_settings WHERE app_id IN "
)
