"""Customer matching keys for the Conversions API, hashed as Meta requires, never stored raw.

Only SHA-256 digests of normalised values are kept (Meta's `user_data` format), so the events
table never holds a shopper's email or phone in clear; `customers/redact` deletes them with the
events they belong to.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from webhooks.payload import mapping, text

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def normalize_email(value: str | None) -> str | None:
    email = (value or "").strip().lower()
    return email if EMAIL.match(email) else None


def normalize_phone(value: str | None) -> str | None:
    # Meta: digits only, with the country code, without a leading + or up to two leading zeros.
    digits = re.sub(r"\D", "", value or "")
    digits = re.sub(r"^0{1,2}", "", digits)
    return digits if len(digits) >= 7 else None


def normalize_letters(value: str | None) -> str | None:
    # City and state: lower case, without digits, spaces or punctuation.
    letters = re.sub(r"[^a-z]", "", (value or "").lower())
    return letters or None


def normalize_zip(value: str | None) -> str | None:
    code = (value or "").strip().lower().split("-")[0].replace(" ", "")
    return code or None


def user_data(order: dict[str, Any]) -> dict[str, str]:
    """Hashed em, ph, external_id, ct, st, zp, country from the order; absent keys omitted."""
    customer = mapping(order.get("customer"))
    address = mapping(order.get("billing_address")) or mapping(order.get("shipping_address"))
    country = (text(address.get("country_code"), 2) or "").lower()
    values = {
        "em": normalize_email(text(order.get("email")) or text(customer.get("email"))),
        "ph": normalize_phone(
            text(order.get("phone")) or text(customer.get("phone")) or text(address.get("phone"))
        ),
        "external_id": text(customer.get("id"), 32),
        "ct": normalize_letters(text(address.get("city"))),
        "st": normalize_letters(text(address.get("province_code"))),
        "zp": normalize_zip(text(address.get("zip"))),
        "country": country if len(country) == 2 and country.isalpha() else None,
    }
    return {key: sha256(value) for key, value in values.items() if value}
