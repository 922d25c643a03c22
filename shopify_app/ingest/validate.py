"""Validation of storefront batches: the shape of the body, then each event on its own, so one
bad event is rejected without losing the rest.

`parse_body` first decodes the raw body with msgspec into typed Structs whose constraints are
the same patterns and bounds as the hand-written checks: in C, for the common batch where every
event has the right shape. Whatever does not decode that way (a bad id, a wrong type, invalid
JSON) goes through `parse_batch`, which finds each bad event and says why, with the same
messages as always; the fast path can therefore never accept what `parse_batch` would refuse.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Annotated, Any
from urllib.parse import urlsplit

import msgspec

from shopify_app.custom_events.vocabulary import CLICK
from shopify_app.ingest.autocapture import clean_click_data
from shopify_app.ingest.enrich import CLICK_ID_KEYS, UTM_KEYS
from shopify_app.ingest.pixel_seen import PIXEL_SEEN, clean_pixel_data

# Built-in events the tracker makes on its own carry a fixed, bounded shape: whatever a page
# sends under their names is reduced to it before the size check.
BUILT_IN_CLEANERS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    CLICK: clean_click_data,
    PIXEL_SEEN: clean_pixel_data,
}

MAX_EVENTS = 50
MAX_URL_LENGTH = 2048
MAX_DATA_BYTES = 4096
MAX_VALUE = Decimal("1e12")
# Event and session ids the tracker makes. No `:`: ids the server makes (`order:<id>`) have one,
# so a client's id can never be taken for, or block, a server's.
TOKEN = re.compile(r"[A-Za-z0-9_-]{8,64}")
NAME = re.compile(r"[a-z0-9_]{1,64}")
PAGE_TYPE = re.compile(r"[a-z0-9_/-]{1,64}")
PRINTABLE = re.compile(r"[\x21-\x7e]{1,255}")  # cookie values such as _fbp and _fbc
# Active ISO 4217 codes: a typo'd currency would silently corrupt revenue reports.
_ISO_CODES = (
    "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN "
    "BWP BYN BZD CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD "
    "FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY "
    "KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP "
    "MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR "
    "RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT "
    "TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VES VND VUV WST XAF XCD XCG XOF XPF YER ZAR "
    "ZMW ZWG"
)
ISO_CURRENCIES = frozenset(_ISO_CODES.split())


class InvalidJSONError(ValueError):
    """The body is not JSON (or not UTF-8)."""


class BatchShapeError(ValueError):
    """The body is JSON but not a batch; nothing in it can be accepted."""


class BatchTooLargeError(ValueError):
    """More events than one request may carry."""


@dataclass
class BatchContext:
    """Facts the tracker sends once per batch: they hold for every event in it."""

    session_id: str | None = None
    marketing: bool | None = None
    fbp: str | None = None
    fbc: str | None = None
    referrer: str | None = None
    attribution: dict[str, str] = field(default_factory=dict)


@dataclass
class ValidEvent:
    index: int
    event_id: str
    name: str
    url: str
    page_type: str | None
    data: dict[str, Any]
    value: Decimal | None
    currency: str | None


def _pattern(regex: re.Pattern[str]) -> msgspec.Meta:
    # msgspec searches; anchored with \\Z (not $, which would allow a trailing newline).
    return msgspec.Meta(pattern=f"^(?:{regex.pattern})\\Z")


class _FastEvent(msgspec.Struct):
    id: Annotated[str, _pattern(TOKEN)]
    name: Annotated[str, _pattern(NAME)]
    url: Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_URL_LENGTH)]
    page_type: Annotated[str, _pattern(PAGE_TYPE)] | None = None
    data: dict[str, Any] | None = None
    value: int | float | str | None = None
    currency: str | None = None


class _FastBatch(msgspec.Struct):
    events: list[_FastEvent]
    session_id: Any = None
    marketing: Any = None
    fbp: Any = None
    fbc: Any = None
    referrer: Any = None
    attribution: Any = None


_fast_decoder = msgspec.json.Decoder(_FastBatch)
_encode = msgspec.json.Encoder().encode
# Below this many bytes as compact JSON, data is surely within MAX_DATA_BYTES as json.dumps
# writes it (which adds at most one space per ',' or ':'); above, the exact check decides.
_SURELY_SMALL = MAX_DATA_BYTES // 2


def parse_body(raw: bytes) -> tuple[BatchContext, list[ValidEvent], list[dict[str, Any]]]:
    """`parse_batch` of the raw body; raises InvalidJSONError when it is not JSON."""
    try:
        batch = _fast_decoder.decode(raw)
    except msgspec.DecodeError:  # anything unusual: the exact checks say what
        return parse_batch(_json(raw))
    if len(batch.events) > MAX_EVENTS:
        raise BatchTooLargeError(f"at most {MAX_EVENTS} events per request")
    valid: list[ValidEvent] = []
    rejected: list[dict[str, Any]] = []
    for index, fast in enumerate(batch.events):
        try:
            valid.append(_fast_event(index, fast))
        except ValueError as exc:
            rejected.append({"index": index, "error": str(exc)})
    context = {
        "session_id": batch.session_id,
        "marketing": batch.marketing,
        "fbp": batch.fbp,
        "fbc": batch.fbc,
        "referrer": batch.referrer,
        "attribution": batch.attribution,
    }
    return _context(context), valid, rejected


def _json(raw: bytes) -> Any:
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, RecursionError, ValueError) as exc:
        raise InvalidJSONError(str(exc)) from None


def _fast_event(index: int, fast: _FastEvent) -> ValidEvent:
    # The Struct checked id, name, page_type and the types; what is left is what `_event` checks
    # beyond them, in the same order, with the same messages.
    url = _cached_url(fast.url)
    if url is None:
        raise ValueError(f"url must be an http(s) URL of at most {MAX_URL_LENGTH} characters")
    data = fast.data
    if data is None:
        data = {}
    elif fast.name in BUILT_IN_CLEANERS:
        data = BUILT_IN_CLEANERS[fast.name](data)
    elif data:
        encoded = _encode(data)  # decoded from JSON: no NaN and no lone surrogates in it
        if b"\\u0000" in encoded or len(encoded) > _SURELY_SMALL:
            _check_data(data)
    value = None if fast.value is None else _value(fast.value)
    currency = fast.currency
    if currency is not None and currency not in ISO_CURRENCIES:
        raise ValueError("currency must be an ISO 4217 code such as EUR")
    return ValidEvent(index, fast.id, fast.name, url, fast.page_type, data, value, currency)


@lru_cache(maxsize=4096)
def _cached_url(raw: str) -> str | None:
    # A session's events come from a handful of pages: each URL is parsed once.
    return _url_or_none(raw)


def _check_data(data: Any) -> None:
    if not isinstance(data, dict) or len(_storable_json(data)) > MAX_DATA_BYTES:
        raise ValueError(f"data must be an object of at most {MAX_DATA_BYTES} bytes as JSON")


def parse_batch(body: Any) -> tuple[BatchContext, list[ValidEvent], list[dict[str, Any]]]:
    """(context, valid events, rejected entries {"index", "error"}) of one decoded body."""
    if not isinstance(body, dict) or not isinstance(body.get("events"), list):
        raise BatchShapeError("body must be an object with an 'events' list")
    raw_events = body["events"]
    if len(raw_events) > MAX_EVENTS:
        raise BatchTooLargeError(f"at most {MAX_EVENTS} events per request")
    valid: list[ValidEvent] = []
    rejected: list[dict[str, Any]] = []
    for index, raw in enumerate(raw_events):
        try:
            valid.append(_event(index, raw))
        except ValueError as exc:
            rejected.append({"index": index, "error": str(exc)})
    return _context(body), valid, rejected


def _context(body: dict[str, Any]) -> BatchContext:
    # Context fields are best effort: a malformed one is dropped, the events still count.
    attribution = body.get("attribution")
    return BatchContext(
        session_id=_match(TOKEN, body.get("session_id")),
        marketing=body.get("marketing") if isinstance(body.get("marketing"), bool) else None,
        fbp=_match(PRINTABLE, body.get("fbp")),
        fbc=_match(PRINTABLE, body.get("fbc")),
        referrer=_url_or_none(body.get("referrer")),
        attribution={
            key: value[:255]
            for key, value in (attribution.items() if isinstance(attribution, dict) else ())
            if key in UTM_KEYS + CLICK_ID_KEYS and _storable_text(value)
        },
    )


def _event(index: int, raw: Any) -> ValidEvent:
    if not isinstance(raw, dict):
        raise ValueError("event must be an object")
    event_id = _match(TOKEN, raw.get("id"))
    if event_id is None:
        raise ValueError("id must be 8-64 letters, digits, '_' or '-'")
    name = _match(NAME, raw.get("name"))
    if name is None:
        raise ValueError("name must be 1-64 lowercase letters, digits or '_'")
    url = _url_or_none(raw.get("url"))
    if url is None:
        raise ValueError(f"url must be an http(s) URL of at most {MAX_URL_LENGTH} characters")
    page_type = raw.get("page_type")
    if page_type is not None and _match(PAGE_TYPE, page_type) is None:
        raise ValueError("page_type is not a page type")
    data = raw.get("data")
    if data is None:
        data = {}
    if name in BUILT_IN_CLEANERS and isinstance(data, dict):
        data = BUILT_IN_CLEANERS[name](data)
    _check_data(data)
    value = _value(raw.get("value"))
    currency = raw.get("currency")
    if currency is not None and (not isinstance(currency, str) or currency not in ISO_CURRENCIES):
        raise ValueError("currency must be an ISO 4217 code such as EUR")
    return ValidEvent(index, event_id, name, url, page_type, data, value, currency)


def _storable_json(data: dict[str, Any]) -> bytes:
    # PostgreSQL's JSONB refuses NaN, NUL characters and lone surrogates: refuse them here, as
    # the event's own error, rather than fail the whole commit.
    try:
        encoded = json.dumps(data, ensure_ascii=False, allow_nan=False).encode("utf-8")
    except (ValueError, RecursionError):
        raise ValueError("data must be plain JSON text") from None
    if b"\\u0000" in encoded or b"\x00" in encoded:
        raise ValueError("data must not contain NUL characters")
    return encoded


def _value(raw: Any) -> Decimal | None:
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, int | float | str):
        raise ValueError("value must be a number")
    if isinstance(raw, float) and not math.isfinite(raw):
        raise ValueError("value must be a finite number")
    try:
        value = Decimal(str(raw).strip())
    except InvalidOperation:
        raise ValueError("value must be a number") from None
    if value.is_finite() and 0 <= value < MAX_VALUE:
        value = value.quantize(Decimal("0.01"))  # may round up to the bound: checked again
        if value < MAX_VALUE:
            return value
    raise ValueError("value must be between 0 and 10^12")


def _match(pattern: re.Pattern[str], raw: Any) -> str | None:
    return raw if isinstance(raw, str) and pattern.fullmatch(raw) else None


def _storable_text(raw: Any) -> bool:
    """A non-empty string the database can hold: valid UTF-8 and no NUL characters."""
    if not isinstance(raw, str) or not raw or "\0" in raw:
        return False
    try:
        raw.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates, which JSON can carry
        return False
    return True


def _url_or_none(raw: Any) -> str | None:
    if not _storable_text(raw) or len(raw) > MAX_URL_LENGTH:
        return None
    try:
        parts = urlsplit(raw)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.netloc or any(c in raw for c in "\r\n"):
        return None
    return raw
