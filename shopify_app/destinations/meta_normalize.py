"""Meta's normalisation of customer information, then SHA-256, as the official SDK does it.

The rules are those of `facebook_business.adobjects.serverside.normalize.Normalize` (Meta's
Python SDK): trim and lower-case everything, pass through values that already look like an MD5
or SHA-256 hex digest, and per field: an email must look like one; city and state lose digits,
dots, whitespace, `-`, `(` and `)`; a ZIP loses whitespace and whatever follows a `-`; a country
must be an ISO 3166-1 alpha-2 code; a phone keeps its country code without `+` or leading zeros.
We reimplement them instead of importing the SDK (it brings aiohttp and a whole Graph client
for one function); tests compare the two on the same inputs. Where the SDK raises on a value it
cannot normalise, we return None: a bad email must not stop a purchase from being recorded.
"""

from __future__ import annotations

import hashlib
import re

import pycountry

_LOCATION_EXCLUDED = re.compile(r"[0-9.\s\-()]")
_NOT_LETTERS = re.compile(r"[^a-z]")
_EMAIL = re.compile(r".+@.+\..+")
_MD5 = re.compile(r"^[a-f0-9]{32}$")
_SHA256 = re.compile(r"^[a-f0-9]{64}$")
_PHONE_STRIP = re.compile(r"[\s\-()]")
_PHONE_PREFIX = re.compile(r"^\+?0{0,2}")
_INTERNATIONAL = re.compile(r"^\d{1,4}\(?\d{2,3}\)?\d{4,}$")

# Fields Meta wants hashed (user_data); the others (ip, user agent, fbp, fbc) are sent as they are.
HASHED_FIELDS = ("em", "ph", "fn", "ln", "ge", "db", "ct", "st", "zp", "country", "external_id")


def is_hashed(value: str) -> bool:
    return bool(_SHA256.match(value) or _MD5.match(value))


def sha256(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def normalize(field: str, value: str | None) -> str | None:
    """The value Meta hashes for `field`, or None when there is none (or it is malformed)."""
    if value is None:
        return None
    data = value.lower().strip()
    if not data:
        return None
    if is_hashed(data):
        return data
    if field == "em":
        return data if _EMAIL.match(data) else None
    if field in ("ct", "st"):
        data = _LOCATION_EXCLUDED.sub("", data)
    elif field == "zp":
        data = re.sub(r"\s", "", data).split("-")[0]
    elif field == "country":
        data = _NOT_LETTERS.sub("", data)
        if len(data) != 2 or pycountry.countries.get(alpha_2=data.upper()) is None:
            return None
    elif field == "ph":
        data = _PHONE_PREFIX.sub("", _PHONE_STRIP.sub("", data))
        data = _PHONE_PREFIX.sub("", data)  # the SDK strips twice: "+00 0044..." keeps "0044"
        if data.startswith("0") or not _INTERNATIONAL.match(data):
            return None
    return data or None


def hash_field(field: str, value: str | None) -> str | None:
    """normalize() then SHA-256 (an already hashed value is passed through unchanged)."""
    normalized = normalize(field, value)
    if normalized is None:
        return None
    return normalized if is_hashed(normalized) else sha256(normalized)
