"""Checking a pixel id and token against Meta before they are saved, and the admin's
"Send test event": both ask Meta directly, so a merchant learns at once if Meta refuses them."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from models import AppSettings, utcnow
from shopify_app.destinations.meta_client import TOKEN_INVALID, MetaAnswer, MetaClient


@dataclass(frozen=True)
class CredentialCheck:
    verdict: str  # accepted | refused | unreachable
    field: str | None = None  # the form field Meta refused
    message: str = ""

    def as_json(self) -> dict[str, Any]:
        return {"verdict": self.verdict, "field": self.field, "message": self.message}


def check_credentials(client: MetaClient, pixel_id: str, access_token: str) -> CredentialCheck:
    answer = client.check_pixel(pixel_id, access_token)
    if answer.kind == "ok":
        return CredentialCheck("accepted", message="Meta accepted the pixel ID and token.")
    if answer.kind == "auth" and answer.code == TOKEN_INVALID:
        return CredentialCheck(
            "refused", "access_token", f"Meta refused this access token: {answer.message}"
        )
    if answer.kind in ("auth", "rejected"):
        return CredentialCheck(
            "refused", "pixel_id", f"Meta refused this pixel ID with this token: {answer.message}"
        )
    return CredentialCheck(
        "unreachable",
        message=f"Saved, but Meta could not be reached to check them ({answer.message}).",
    )


def credentials_to_check(settings: AppSettings, clean: dict[str, Any]) -> tuple[str, str] | None:
    """(pixel id, token) when this change brings a new token or pixel and both are then set."""
    new_token = bool(clean.get("access_token"))
    new_pixel = "pixel_id" in clean and clean["pixel_id"] != settings.pixel_id
    pixel = clean.get("pixel_id", settings.pixel_id)
    token = clean.get("access_token", settings.access_token)
    if (new_token or new_pixel) and pixel and token:
        return pixel, token
    return None


@dataclass(frozen=True)
class TestEventResult:
    ok: bool
    message: str
    answer: dict[str, Any]


def send_test_event(client: MetaClient, settings: AppSettings) -> TestEventResult:
    """One PageView with the shop's test_event_code: it shows in Events Manager → Test events."""
    if not settings.pixel_id or not settings.access_token:
        return TestEventResult(False, "Save a pixel ID and an access token first.", {})
    if not settings.test_event_code:
        return TestEventResult(
            False, "Save a test event code (Events Manager → Test events) first.", {}
        )
    now = utcnow()
    event = {
        "event_name": "PageView",
        "event_time": int(now.replace(tzinfo=dt.UTC).timestamp()),
        "event_id": f"sightline-test-{uuid.uuid4().hex}",
        "action_source": "website",
        "event_source_url": f"https://{settings.app_id}/",
        "user_data": {"client_user_agent": "Sightline test event (admin)"},
    }
    answer = client.send_events(
        settings.pixel_id,
        settings.access_token,
        [event],
        test_event_code=settings.test_event_code,
    )
    return TestEventResult(answer.kind == "ok", _summary(answer), _answer_json(answer))


def _summary(answer: MetaAnswer) -> str:
    if answer.kind == "ok":
        return (
            f"Meta received {answer.events_received} event (fbtrace_id {answer.fbtrace_id}). "
            "Look for it in Events Manager → Test events."
        )
    if answer.status is None:
        return f"Meta could not be reached: {answer.message}"
    return f"Meta refused the test event: {answer.message} (HTTP {answer.status})"


def _answer_json(answer: MetaAnswer) -> dict[str, Any]:
    return {
        "status": answer.status,
        "events_received": answer.events_received,
        "fbtrace_id": answer.fbtrace_id,
        "code": answer.code,
        "message": answer.message or None,
    }
