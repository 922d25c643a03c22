"""Reading Shopify payloads defensively: they are authentic, but not necessarily well formed."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal, InvalidOperation
from typing import Any


class PayloadError(ValueError):
    """The payload cannot be processed as its topic requires (bad input: 400, kept as failed)."""


def parse_object(body: str) -> dict[str, Any]:
    """The JSON object in `body`, or PayloadError."""
    try:
        payload = json.loads(body)
    except (ValueError, RecursionError) as exc:  # RecursionError: nested past the limit
        raise PayloadError(f"malformed JSON: {type(exc).__name__}") from None
    if not isinstance(payload, dict):
        raise PayloadError("payload is not a JSON object")
    return payload


def text(value: Any, max_length: int = 255) -> str | None:
    """A clean, bounded string from a scalar; None for empty, missing or non-scalar values."""
    if value is None or isinstance(value, bool | dict | list):
        return None
    # NUL cannot be stored in PostgreSQL text; it never belongs in these fields anyway.
    cleaned = str(value).replace("\x00", "").strip()
    return cleaned[:max_length] or None


def identifier(value: Any, what: str) -> str:
    """A Shopify numeric id (int or digit string) as text, or PayloadError."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise PayloadError(f"{what} is missing or not an id")
    result = str(value).strip()
    if not result.isdigit() or len(result) > 32:
        raise PayloadError(f"{what} is missing or not an id")
    return result


def identifiers(value: Any, what: str) -> list[str]:
    """A list of Shopify ids (e.g. orders_to_redact); an absent list is empty."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise PayloadError(f"{what} is not a list")
    return [identifier(item, what) for item in value]


def money(value: Any, what: str) -> Decimal:
    """A non-negative amount from Shopify's decimal strings, or PayloadError."""
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise PayloadError(f"{what} is not an amount") from None
    if not amount.is_finite() or amount < 0 or amount >= Decimal("1e12"):
        raise PayloadError(f"{what} is not an amount")
    return amount.quantize(Decimal("0.01"))


def timestamp(value: Any) -> dt.datetime | None:
    """A Shopify ISO-8601 time as naive UTC (every datetime column holds UTC); None if unusable."""
    if not isinstance(value, str):
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        return parsed
    try:
        return parsed.astimezone(dt.UTC).replace(tzinfo=None)
    except OverflowError:  # year 1 or 9999 shifted out of range by its offset
        return None


def mapping(value: Any) -> dict[str, Any]:
    """`value` if it is a JSON object, else an empty one."""
    return value if isinstance(value, dict) else {}
