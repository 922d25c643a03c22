"""Visitor fingerprints: a hash of shop, IP and user agent keyed with a random salt that changes
every UTC day. Salts live in the database (every worker hashes alike) and are deleted after two
days, so a fingerprint cannot be linked to the IP behind it, nor to the same visitor tomorrow."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import threading

from models import FingerprintSalt

KEEP_DAYS = 2  # today and yesterday: events near midnight still hash with the salt of their day


class SaltCache:
    """Today's salt, read from (or created in) the database once per day and process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._day: dt.date | None = None
        self._salt = b""

    def salt_for(self, day: dt.date) -> bytes:
        with self._lock:
            if self._day != day:
                self._salt = _load_or_create(day)
                self._day = day
            return self._salt


def _load_or_create(day: dt.date) -> bytes:
    # Two workers may race on a new day: the insert is ignored for the loser, both read the winner.
    FingerprintSalt.insert(day=day, salt=secrets.token_hex(32)).on_conflict_ignore().execute()
    FingerprintSalt.delete().where(
        FingerprintSalt.day <= day - dt.timedelta(days=KEEP_DAYS)
    ).execute()
    return bytes.fromhex(FingerprintSalt.get_by_id(day).salt)


def fingerprint(salt: bytes, app_id: str, ip: str | None, user_agent: str | None) -> str:
    """32 hex characters; equal for the same shop, IP and browser on the same day only."""
    digest = hashlib.blake2b(key=salt, digest_size=16)
    digest.update("\x1f".join((app_id, ip or "", user_agent or "")).encode())
    return digest.hexdigest()


def today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()
