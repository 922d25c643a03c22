"""Click autocapture: what a `click` event the tracker records on its own may carry.

The tracker sends the clicked link's or button's tag, trimmed text, href (the path for same-site
links) and a short CSS selector. The data comes from the shopper's browser, so it is reduced here
to those four bounded strings, whatever was sent: control characters (NUL included) are dropped
and long text is cut, so a hostile page never costs a 500 or a bloated row. The text is stored as
it is otherwise (a `<` stays a `<`); every page that shows it escapes it.
"""

from __future__ import annotations

import re
from typing import Any

TEXT_MAX = 100
HREF_MAX = 2048
SELECTOR_MAX = 200
TAG = re.compile(r"[a-z][a-z0-9-]{0,15}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
_SPACES = re.compile(r"\s+")


def clean_click_data(data: dict[str, Any]) -> dict[str, str]:
    """The four autocapture fields of `data`, each a bounded single-line string ("" if absent)."""
    tag = str(data.get("tag") or "").lower()
    return {
        "tag": tag if TAG.fullmatch(tag) else "",
        "text": _line(data.get("text"), TEXT_MAX),
        "href": _line(data.get("href"), HREF_MAX),
        "selector": _line(data.get("selector"), SELECTOR_MAX),
    }


def _line(value: Any, limit: int) -> str:
    if not isinstance(value, str):
        return ""
    value = value[: limit * 4]  # bound the regex work on a 10 MB string
    # Lone surrogates cannot be stored as UTF-8: drop them with the control characters.
    value = value.encode("utf-8", "ignore").decode("utf-8")
    return _SPACES.sub(" ", _CONTROL.sub(" ", value)).strip()[:limit]
