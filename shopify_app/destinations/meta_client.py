"""The Conversions API client: one POST per batch, and what Meta's answer means for us.

`send_events` never raises for a network or HTTP failure; it classifies the answer instead, so
the delivery loop decides with one `match` what happens to the rows:

- `ok`: 2xx; Meta's `events_received` and `fbtrace_id` are kept.
- `retry`: a timeout, a connection failure, 5xx, HTTP 429, or one of Meta's transient and
  throttling codes; `retry_after` carries `Retry-After` or the business-use-case usage header.
- `auth`: code 190 (the token is invalid or expired), a permission error (10, 200-299), or
  the pixel does not exist for this token (100/33): nothing for this shop can go until the
  merchant fixes the token or pixel, so its deliveries pause.
- `rejected`: any other 4xx; for a batch, one bad event rejects all of it (the loop bisects).

The access token travels in the JSON body (Graph accepts it there), never in the URL, so no
access log or proxy records it. Meta asks for a 1.5 s client timeout.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from typing import Any, Literal

import requests

TIMEOUT_SECONDS = 1.5
# Meta's transient errors (1, 2) and throttling codes (4, 17, 32, 613, 80004) are worth retrying.
RETRY_CODES = frozenset({1, 2, 4, 17, 32, 341, 613, 80004})
TOKEN_INVALID = 190
NO_SUCH_OBJECT = (100, 33)  # "Object with ID ... does not exist, cannot be loaded ..."
MAX_RETRY_AFTER = 3600.0

AnswerKind = Literal["ok", "retry", "auth", "rejected"]


@dataclass(frozen=True)
class MetaAnswer:
    kind: AnswerKind
    status: int | None = None  # HTTP status; None when no answer arrived
    message: str = ""
    code: int | None = None
    subcode: int | None = None
    fbtrace_id: str | None = None
    events_received: int | None = None
    retry_after: float | None = None  # seconds Meta asks us to wait (any kind of answer)
    body: dict[str, Any] | None = None


class MetaClient:
    """Talks to `{graph_url}/{api_version}`; safe to share between threads."""

    def __init__(
        self, graph_url: str, api_version: str, *, timeout: float = TIMEOUT_SECONDS
    ) -> None:
        self.base = f"{graph_url.rstrip('/')}/{api_version}"
        self.timeout = timeout
        self._local = threading.local()  # one keep-alive session per thread

    def _session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = requests.Session()
        return session

    def send_events(
        self,
        pixel_id: str,
        access_token: str,
        events: list[dict[str, Any]],
        *,
        test_event_code: str | None = None,
    ) -> MetaAnswer:
        """POST `events` (≤ 1,000) to the pixel's /events edge."""
        body: dict[str, Any] = {"data": events, "access_token": access_token}
        if test_event_code:
            body["test_event_code"] = test_event_code
        return self._call("POST", f"{self.base}/{pixel_id}/events", body)

    def check_pixel(self, pixel_id: str, access_token: str) -> MetaAnswer:
        """Read the pixel with the token: proves both are right without sending an event."""
        return self._call(
            "GET",
            f"{self.base}/{pixel_id}",
            None,
            headers={"Authorization": f"Bearer {access_token}"},
            params={"fields": "id,name"},
        )

    def _call(
        self,
        method: str,
        url: str,
        body: dict[str, Any] | None,
        *,
        headers: dict[str, str] | None = None,
        params: dict[str, str] | None = None,
    ) -> MetaAnswer:
        data = json.dumps(body, separators=(",", ":")) if body is not None else None
        try:
            response = self._session().request(
                method,
                url,
                data=data,
                params=params,
                headers={"Content-Type": "application/json", **(headers or {})},
                timeout=self.timeout,
            )
        except requests.Timeout:
            return MetaAnswer("retry", message=f"no answer from Meta within {self.timeout} s")
        except requests.RequestException as exc:
            return MetaAnswer("retry", message=f"cannot reach Meta: {type(exc).__name__}")
        return classify(response.status_code, response.headers, response.content)


def classify(status: int, headers: Any, content: bytes) -> MetaAnswer:
    """What an HTTP answer from the Graph API means for the rows it carried."""
    try:
        body = json.loads(content) if content else {}
    except ValueError:
        body = {}
    body = body if isinstance(body, dict) else {}
    wait = _retry_after(headers)
    if 200 <= status < 300:
        received = body.get("events_received")
        return MetaAnswer(
            "ok",
            status,
            fbtrace_id=_text(body.get("fbtrace_id")),
            events_received=received if isinstance(received, int) else None,
            retry_after=wait,
            body=body,
        )
    error = body.get("error") if isinstance(body.get("error"), dict) else {}
    code = error.get("code") if isinstance(error.get("code"), int) else None
    subcode = error.get("error_subcode") if isinstance(error.get("error_subcode"), int) else None
    message = _text(error.get("error_user_msg")) or _text(error.get("message")) or f"HTTP {status}"
    answer: dict[str, Any] = {
        "status": status,
        "message": message,
        "code": code,
        "subcode": subcode,
        "fbtrace_id": _text(error.get("fbtrace_id")),
        "retry_after": wait,
        "body": body,
    }
    if (
        code == TOKEN_INVALID
        or code == 10
        or (code is not None and 200 <= code <= 299)
        or (code, subcode) == NO_SUCH_OBJECT
    ):
        return MetaAnswer("auth", **answer)
    if status >= 500 or status == 429 or code in RETRY_CODES:
        return MetaAnswer("retry", **answer)
    return MetaAnswer("rejected", **answer)


def _text(value: Any) -> str | None:
    return value[:1000] if isinstance(value, str) and value else None


def _retry_after(headers: Any) -> float | None:
    """Seconds to wait: `Retry-After`, or the longest `estimated_time_to_regain_access`
    (minutes) in `X-Business-Use-Case-Usage`; None when neither asks for a pause."""
    waits: list[float] = []
    raw = headers.get("Retry-After")
    if raw:
        try:
            seconds = float(raw)
            if seconds == seconds and seconds >= 0:  # not NaN
                waits.append(seconds)
        except ValueError:
            pass  # an HTTP date: rare from Graph; the backoff covers it
    usage = headers.get("X-Business-Use-Case-Usage")
    if usage:
        try:
            for entries in json.loads(usage).values():
                for entry in entries if isinstance(entries, list) else []:
                    minutes = entry.get("estimated_time_to_regain_access") or 0
                    if isinstance(minutes, int | float) and minutes > 0:
                        waits.append(float(minutes) * 60)
        except (ValueError, AttributeError):
            pass
    return min(max(waits), MAX_RETRY_AFTER) if waits else None
