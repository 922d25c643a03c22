"""Validation of custom events and settings: one set of rules for the JSON API and the admin UI.

Each validator returns clean values or raises ValidationError naming every bad field.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from typing import Any

from shopify_app.custom_events.vocabulary import (
    BUILT_IN_EVENT_NAMES,
    META_STANDARD_EVENTS,
    PAGE_TYPES,
    TRIGGERS,
    TRIGGERS_NEEDING_SELECTOR,
)

NAME_MAX = 64
DISPLAY_NAME_MAX = 255
DESCRIPTION_MAX = 2000
SELECTOR_MAX = 500
PAGE_URL_MAX = 500
EVENT_DATA_MAX_BYTES = 4096
PAGE_URL_PATTERN = re.compile(r"^/[A-Za-z0-9\-._~/*%+=&?:@!$',;()]*$")
PIXEL_ID_PATTERN = re.compile(r"^\d{5,20}$")
# The seed's four toggles, then ours.
SETTINGS_TOGGLES = (
    "custom_events_enabled",
    "track_pageviews",
    "track_clicks",
    "record_location",
    "send_to_meta",
)
# Conversions API options beside the toggles (migration 0011).
CONSENT_POLICIES = ("by_region", "send", "skip")
TEST_EVENT_CODE_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
META_OPTIONS = ("test_event_code", "consent_when_unknown", "meta_browser_pixel", "meta_page_views")
SETTINGS_FIELDS = frozenset(
    (
        "pixel_id",
        "access_token",
        "clear_access_token",
        "token_expires_at",
        *SETTINGS_TOGGLES,
        *META_OPTIONS,
    )
)


class ValidationError(ValueError):
    """One message per bad field; `field`/`message` is the first, for a single-line answer."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{f}: {m}" for f, m in errors.items()))
        self.errors = errors
        self.field, self.message = next(iter(errors.items()))


def normalise_name(text: str) -> str:
    """`Add to Wishlist!` → `add_to_wishlist`: lower case, spaces to `_`, only [a-z0-9_], ≤ 64."""
    name = re.sub(r"\s+", "_", text.strip().lower())
    name = re.sub(r"[^a-z0-9_]", "", name)
    return re.sub(r"_+", "_", name).strip("_")[:NAME_MAX]


def selector_problem(selector: str) -> str | None:
    """Catch obvious garbage server-side; the browser checks the full CSS grammar before saving."""
    if len(selector) > SELECTOR_MAX:
        return f"must be at most {SELECTOR_MAX} characters"
    if any(ch in selector for ch in "{};<") or any(ord(ch) < 32 for ch in selector):
        return "is not a valid CSS selector"
    if selector.rstrip().endswith((">", "+", "~", ",")) or selector.lstrip().startswith(","):
        return "is not a valid CSS selector"
    stack: list[str] = []
    pairs = {")": "(", "]": "["}
    quote: str | None = None
    for ch in selector:
        if quote:
            quote = None if ch == quote else quote
        elif ch in "\"'":
            quote = ch
        elif ch in "([":
            stack.append(ch)
        elif ch in ")]" and (not stack or stack.pop() != pairs[ch]):
            return "is not a valid CSS selector"
    if quote or stack:
        return "is not a valid CSS selector"
    return None


def _text(value: Any) -> str:
    """A stripped string; anything the database cannot store (NUL, lone surrogates) becomes ""
    and so fails the field's own check instead of the save."""
    if not isinstance(value, str) or not storable(value):
        return ""
    return value.strip()


def storable(text: str) -> bool:
    """PostgreSQL text and JSONB refuse NUL; UTF-8 refuses lone surrogates."""
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _strings_in(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (*_strings_in(k), *_strings_in(v))]
    if isinstance(value, list):
        return [s for item in value for s in _strings_in(item)]
    return []


def validate_custom_event(data: Mapping[str, Any]) -> dict[str, Any]:
    """Check a whole custom event (merged with what is stored, for updates); returns columns."""
    errors: dict[str, str] = {}
    display_name = _text(data.get("display_name"))
    if not display_name:
        errors["display_name"] = "Display name is required"
    elif len(display_name) > DISPLAY_NAME_MAX:
        errors["display_name"] = f"Display name must be at most {DISPLAY_NAME_MAX} characters"

    name = normalise_name(_text(data.get("name")) or display_name)
    if not name and "display_name" not in errors:
        errors["name"] = "Name needs at least one letter or digit"
    elif name in BUILT_IN_EVENT_NAMES:
        errors["name"] = f"'{name}' is a built-in event name"

    description = _text(data.get("description")) or None
    if description and len(description) > DESCRIPTION_MAX:
        errors["description"] = f"Description must be at most {DESCRIPTION_MAX} characters"

    page_type = _text(data.get("page_type")) or "all"
    page_url = _text(data.get("page_url")) or None
    if page_type not in PAGE_TYPES:
        errors["page_type"] = "Page type must be 'all', a Shopify page type, or 'custom'"
    elif page_type == "custom":
        if not page_url:
            errors["page_url"] = "A custom page type needs a URL pattern such as /pages/*"
        elif len(page_url) > PAGE_URL_MAX or not PAGE_URL_PATTERN.match(page_url):
            errors["page_url"] = "URL pattern must be a path starting with / (use * as a wildcard)"
    else:
        page_url = None

    event_type = _text(data.get("event_type"))
    selector = _text(data.get("selector")) or None
    scroll_depth = None
    if event_type not in TRIGGERS:
        errors["event_type"] = "Trigger must be one of " + ", ".join(TRIGGERS)
    elif event_type in TRIGGERS_NEEDING_SELECTOR:
        problem = "is required for this trigger" if not selector else selector_problem(selector)
        if problem:
            errors["selector"] = f"CSS selector {problem}"
    else:
        selector = None
        if event_type == "scroll":
            scroll_depth, problem = _scroll_depth(data.get("scroll_depth"))
            if problem:
                errors["scroll_depth"] = problem

    meta_event_name = _text(data.get("meta_event_name")) or None
    if meta_event_name and meta_event_name not in META_STANDARD_EVENTS:
        errors["meta_event_name"] = "Meta event must be empty or a Meta standard event"

    event_data, problem = _event_data(data.get("event_data", data.get("data")))
    if problem:
        errors["event_data"] = problem

    errors.update(_unstorable_fields(data, TEXT_FIELDS))
    if errors:
        raise ValidationError(errors)
    return {
        "name": name,
        "display_name": display_name,
        "description": description,
        "page_type": page_type,
        "page_url": page_url,
        "event_type": event_type,
        "selector": selector,
        "scroll_depth": scroll_depth,
        "meta_event_name": meta_event_name,
        "event_data": event_data,
        "is_active": _bool(data.get("is_active", True)),
    }


TEXT_FIELDS = (
    "name",
    "display_name",
    "description",
    "page_type",
    "page_url",
    "event_type",
    "selector",
    "meta_event_name",
)


def _unstorable_fields(data: Mapping[str, Any], fields: tuple[str, ...]) -> dict[str, str]:
    return {
        field: "contains characters that cannot be stored (NUL or invalid Unicode)"
        for field in fields
        if isinstance(data.get(field), str) and not storable(data[field])
    }


def _scroll_depth(value: Any) -> tuple[int | None, str | None]:
    if isinstance(value, bool):
        return None, "Scroll depth must be a whole percentage from 1 to 100"
    try:
        depth = int(value)
    except (TypeError, ValueError, OverflowError):
        return None, "Scroll depth must be a whole percentage from 1 to 100"
    if (isinstance(value, float) and not value.is_integer()) or not 1 <= depth <= 100:
        return None, "Scroll depth must be a whole percentage from 1 to 100"
    return depth, None


def _event_data(value: Any) -> tuple[dict[str, Any], str | None]:
    if value in (None, ""):
        return {}, None
    if isinstance(value, str):  # the admin form sends the JSON text
        try:
            value = json.loads(value)
        except (ValueError, RecursionError):
            return {}, "Default data must be valid JSON"
    if not isinstance(value, dict):
        return {}, "Default data must be a JSON object"
    strings = _strings_in(value)
    if not all(storable(s) for s in strings):
        return {}, "Default data has characters that cannot be stored (NUL or invalid Unicode)"
    if any("<" in s for s in strings):
        # It is rendered inside a <script> block on the storefront.
        return {}, "Default data may not contain <"
    if len(json.dumps(value).encode()) > EVENT_DATA_MAX_BYTES:
        return {}, f"Default data must be at most {EVENT_DATA_MAX_BYTES // 1024} KB"
    return value, None


def _bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.lower() in ("1", "true", "on", "yes")
    return bool(value)


def validate_settings(data: Mapping[str, Any]) -> dict[str, Any]:
    """Check a settings change; returns only the columns to write (absent keys stay as they are).

    An unknown key is an error, not ignored: a script that sends an old or misspelt toggle name
    (`tracking_enabled`, `track_page_views`) must learn that nothing changed.
    """
    errors: dict[str, str] = {key: "is not a setting" for key in data if key not in SETTINGS_FIELDS}
    clean: dict[str, Any] = {}
    if "pixel_id" in data:
        pixel_id = _text(data["pixel_id"]) if data["pixel_id"] is not None else ""
        if pixel_id and not PIXEL_ID_PATTERN.match(pixel_id):
            errors["pixel_id"] = "Pixel ID must be 5 to 20 digits"
        clean["pixel_id"] = pixel_id or None
    if data.get("clear_access_token"):
        clean["access_token"] = None
        clean["token_expires_at"] = None
    elif _text(data.get("access_token")):
        token = _text(data["access_token"])
        if len(token) > 1024 or any(ch.isspace() for ch in token):
            errors["access_token"] = "Access token looks malformed"  # noqa: S105 (a message)
        clean["access_token"] = token
    if "token_expires_at" in data and "token_expires_at" not in clean:
        expires, problem = _expiry(data["token_expires_at"])
        if problem:
            errors["token_expires_at"] = problem
        clean["token_expires_at"] = expires
    for toggle in SETTINGS_TOGGLES:
        if toggle in data:
            if not isinstance(data[toggle], bool | str | int):
                errors[toggle] = "must be true or false"
            clean[toggle] = _bool(data[toggle])
    _validate_meta_options(data, clean, errors)
    if errors:
        raise ValidationError(errors)
    return clean


def _validate_meta_options(data: Mapping[str, Any], clean: dict[str, Any], errors: dict) -> None:
    if "test_event_code" in data:
        code = _text(data["test_event_code"]) if data["test_event_code"] is not None else ""
        if code and not TEST_EVENT_CODE_PATTERN.match(code):
            errors["test_event_code"] = "Test event code is letters and digits (Events Manager)"
        clean["test_event_code"] = code or None
    if "consent_when_unknown" in data:
        policy = data["consent_when_unknown"]
        if policy not in CONSENT_POLICIES:
            errors["consent_when_unknown"] = "must be one of " + ", ".join(CONSENT_POLICIES)
        clean["consent_when_unknown"] = policy
    for toggle in ("meta_browser_pixel", "meta_page_views"):
        if toggle in data:
            if not isinstance(data[toggle], bool | str | int):
                errors[toggle] = "must be true or false"
            clean[toggle] = _bool(data[toggle])


def _expiry(value: Any) -> tuple[dt.datetime | None, str | None]:
    if value in (None, ""):
        return None, None
    problem = "Token expiry must be a date (YYYY-MM-DD) or an ISO date-time"
    try:
        parsed = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        if parsed.tzinfo:
            parsed = parsed.astimezone(dt.UTC).replace(tzinfo=None)
    except (ValueError, OverflowError):  # overflow: year 1 or 9999 shifted past the range
        return None, problem
    if not 2000 <= parsed.year <= 2200:
        return None, problem
    return parsed, None
