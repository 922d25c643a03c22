"""Fingerprints: stable within a day, unlinkable across days, never the raw identifiers."""

from __future__ import annotations

import datetime as dt

from models import FingerprintSalt
from shopify_app.ingest.fingerprint import SaltCache, fingerprint

SHOP = "acme.myshopify.com"
DAY = dt.date(2026, 11, 25)


def test_one_salt_per_day_shared_by_every_cache_and_old_salts_deleted(db):
    first, second = SaltCache(), SaltCache()  # two workers
    assert first.salt_for(DAY) == second.salt_for(DAY)
    tomorrow = first.salt_for(DAY + dt.timedelta(days=1))
    assert tomorrow != first.salt_for(DAY)
    SaltCache().salt_for(DAY + dt.timedelta(days=2))
    assert sorted(s.day for s in FingerprintSalt.select()) == [
        DAY + dt.timedelta(days=1),
        DAY + dt.timedelta(days=2),
    ]


def test_fingerprint_changes_with_the_salt_and_hides_its_inputs(db):
    today, tomorrow = SaltCache().salt_for(DAY), SaltCache().salt_for(DAY + dt.timedelta(days=1))
    ua = "Mozilla/5.0 Chrome/124"
    same = fingerprint(today, SHOP, "8.8.8.8", ua)
    assert same == fingerprint(today, SHOP, "8.8.8.8", ua)
    assert same != fingerprint(tomorrow, SHOP, "8.8.8.8", ua)
    assert same != fingerprint(today, "other.myshopify.com", "8.8.8.8", ua)
    assert len(same) == 32 and "8.8.8.8" not in same
