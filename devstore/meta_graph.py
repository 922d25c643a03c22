"""A fake Conversions API: `/{version}/{pixel_id}/events` (also under `/meta/`), validating
payloads as Meta does and recording what it accepts, with switches for Meta's failures.

Validation follows Meta's documented rules: `data` is a JSON array of 1 to 1,000 events; each has
`event_name`, an integer `event_time` at most 7 days old, a known `action_source`, and for
`website` events `event_source_url` and `user_data.client_user_agent`; hashed `user_data` keys
are lower-case SHA-256 hex. One invalid event rejects the whole request (HTTP 400, code 100),
as on Meta.

Controls (`/_devstore/meta/...`): `faults` switches the API to answer 5xx, time out, throttle
with `Retry-After`, refuse the token (code 190) or reject named event ids; `pixels/<id>`
registers the one token a pixel accepts; `events` lists what was received; `reset` forgets all.
"""

from __future__ import annotations

import json
import re
import secrets
import threading
import time
from typing import Any

from flask import Blueprint, current_app, jsonify, request

from devstore.state import DevstoreState

bp = Blueprint("devstore_meta_graph", __name__)

MAX_EVENTS = 1000
MAX_AGE_SECONDS = 7 * 24 * 3600
MAX_FUTURE_SECONDS = 60
ACTION_SOURCES = {
    "website",
    "app",
    "email",
    "phone_call",
    "chat",
    "physical_store",
    "system_generated",
    "business_messaging",
    "other",
}
HASHED_KEYS = ("em", "ph", "fn", "ln", "ge", "db", "ct", "st", "zp", "country", "external_id")
SHA256_HEX = re.compile(r"^[a-f0-9]{64}$")
FAULT_KINDS = {"off", "5xx", "timeout", "throttle", "token_invalid"}
TIMEOUT_SLEEP_SECONDS = 2.5  # past the 1.5 s clients are told to wait


def _state() -> DevstoreState:
    return current_app.extensions["devstore"]


def _meta(state: DevstoreState) -> dict[str, Any]:
    section = state.section("meta")
    with state.lock:
        section.setdefault("received", [])
        section.setdefault("requests", 0)
        section.setdefault("batch_sizes", [])  # events per accepted request, in order
        section.setdefault("fault", {"kind": "off"})
        section.setdefault("reject_event_ids", set())
        section.setdefault("pixels", {})
        section.setdefault("arrived", threading.Condition(state.lock))
    return section


def _trace() -> str:
    return secrets.token_urlsafe(8)


def graph_error(
    status: int,
    message: str,
    code: int,
    *,
    subcode: int | None = None,
    user_msg: str | None = None,
    headers: dict[str, str] | None = None,
):  # type: ignore[no-untyped-def]
    error: dict[str, Any] = {
        "message": message,
        "type": "OAuthException",
        "code": code,
        "is_transient": code in (1, 2),
        "fbtrace_id": _trace(),
    }
    if subcode is not None:
        error["error_subcode"] = subcode
    if user_msg:
        error["error_user_title"] = message
        error["error_user_msg"] = user_msg
    return jsonify(error=error), status, headers or {}


def _token() -> str:
    auth = request.headers.get("Authorization", "")
    if auth.startswith("Bearer "):
        return auth[len("Bearer ") :].strip()
    body = request.get_json(silent=True)
    if isinstance(body, dict) and isinstance(body.get("access_token"), str):
        return body["access_token"]
    return request.values.get("access_token", "")


def _fault_answer(section: dict[str, Any]):  # type: ignore[no-untyped-def]
    """The switched-on fault's answer, or None; a fault with `times` switches off after use."""
    with _state().lock:
        fault = section["fault"]
        kind = fault.get("kind", "off")
        if kind == "off":
            return None
        if "times" in fault:
            fault["times"] -= 1
            if fault["times"] <= 0:
                section["fault"] = {"kind": "off"}
    if kind == "5xx":
        status = int(fault.get("status", 503))
        return graph_error(status, "Service temporarily unavailable", 2)
    if kind == "timeout":
        time.sleep(float(fault.get("seconds", TIMEOUT_SLEEP_SECONDS)))
        return graph_error(504, "Gateway timeout", 2)
    if kind == "throttle":
        # Retry-After in seconds and/or Meta's usage header (regain time in minutes).
        usage = {
            "1": [
                {
                    "type": "ads_management",
                    "call_count": 100,
                    "total_cputime": 20,
                    "total_time": 30,
                    "estimated_time_to_regain_access": int(fault.get("regain_minutes", 0)),
                }
            ]
        }
        headers = {"X-Business-Use-Case-Usage": json.dumps(usage)}
        if fault.get("retry_after") is not None:
            headers["Retry-After"] = str(fault["retry_after"])
        return graph_error(429, "User request limit reached", 17, headers=headers)
    return _token_refused()


def _token_refused():  # type: ignore[no-untyped-def]
    return graph_error(
        400,
        "Error validating access token: Session has expired or the token is invalid.",
        190,
        subcode=463,
    )


def _token_accepted(section: dict[str, Any], pixel_id: str, token: str) -> bool:
    if not token:
        return False
    with _state().lock:
        expected = section["pixels"].get(pixel_id)
    return expected is None or secrets.compare_digest(expected, token)


def _pixel_known(section: dict[str, Any], pixel_id: str) -> bool:
    """Any numeric pixel until pixels are registered; then only those (as a real account)."""
    with _state().lock:
        pixels = section["pixels"]
        return pixel_id.isdigit() and (not pixels or pixel_id in pixels)


def _no_such_pixel(pixel_id: str, verb: str):  # type: ignore[no-untyped-def]
    return graph_error(
        400,
        f"Unsupported {verb} request. Object with ID '{pixel_id}' does not exist, cannot be "
        "loaded due to missing permissions, or does not support this operation.",
        100,
        subcode=33,
    )


def _refusal(section: dict[str, Any], pixel_id: str, verb: str):  # type: ignore[no-untyped-def]
    """What Meta answers before reading a request on a pixel, in its order: a switched-on fault,
    then a missing token, an unknown pixel, a token the pixel does not take. None: go on."""
    fault = _fault_answer(section)
    if fault is not None:
        return fault
    token = _token()
    if not token:
        return graph_error(400, "An access token is required to request this resource.", 104)
    if not _pixel_known(section, pixel_id):
        return _no_such_pixel(pixel_id, verb)
    if not _token_accepted(section, pixel_id, token):
        return _token_refused()
    return None


@bp.post("/meta/<version>/<pixel_id>/events")
@bp.post("/<graphversion:version>/<pixel_id>/events")
def receive_events(version: str, pixel_id: str):  # type: ignore[no-untyped-def]
    section = _meta(_state())
    with _state().lock:
        section["requests"] += 1
    refused = _refusal(section, pixel_id, "post")
    if refused is not None:
        return refused
    body = request.get_json(silent=True)
    data = body.get("data") if isinstance(body, dict) else request.values.get("data")
    problem = _batch_problem(data, section)
    if problem:
        return graph_error(400, "Invalid parameter", 100, subcode=2804019, user_msg=problem)
    test_code = body.get("test_event_code") if isinstance(body, dict) else None
    now = time.time()
    with _state().lock:
        section["batch_sizes"].append(len(data))
        section["received"].extend(
            {"pixel_id": pixel_id, "test_event_code": test_code, "received_at": now, "event": e}
            for e in data
        )
        section["arrived"].notify_all()
    return jsonify(events_received=len(data), messages=[], fbtrace_id=_trace())


def _batch_problem(data: Any, section: dict[str, Any]) -> str | None:
    if not isinstance(data, list) or not data:
        return "data must be a non-empty JSON array of events"
    if len(data) > MAX_EVENTS:
        return f"a request carries at most {MAX_EVENTS} events (got {len(data)})"
    with _state().lock:
        rejected = set(section["reject_event_ids"])
    now = time.time()
    for index, event in enumerate(data):
        problem = event_problem(event, now)
        if problem is None and isinstance(event, dict) and event.get("event_id") in rejected:
            problem = "this event was switched to be rejected (devstore control)"
        if problem:
            event_id = event.get("event_id") if isinstance(event, dict) else None
            return f"event {index} (event_id {event_id}): {problem}"
    return None


def event_problem(event: Any, now: float) -> str | None:
    """Why Meta would refuse this one event, or None."""
    if not isinstance(event, dict):
        return "an event must be a JSON object"
    if not isinstance(event.get("event_name"), str) or not event["event_name"]:
        return "event_name is required"
    event_time = event.get("event_time")
    if isinstance(event_time, bool) or not isinstance(event_time, int):
        return "event_time must be a Unix timestamp in seconds"
    if event_time < now - MAX_AGE_SECONDS:
        return "event_time is more than 7 days in the past"
    if event_time > now + MAX_FUTURE_SECONDS:
        return "event_time is in the future"
    source = event.get("action_source")
    if source not in ACTION_SOURCES:
        return "action_source is missing or unknown"
    user = event.get("user_data")
    if not isinstance(user, dict) or not user:
        return "user_data is required"
    if source == "website":
        if not isinstance(event.get("event_source_url"), str):
            return "event_source_url is required for website events"
        if not isinstance(user.get("client_user_agent"), str):
            return "client_user_agent is required for website events"
    for key in HASHED_KEYS:
        if key in user:
            values = user[key] if isinstance(user[key], list) else [user[key]]
            if not all(isinstance(v, str) and SHA256_HEX.match(v) for v in values):
                return f"user_data.{key} must be a lower-case SHA-256 hex digest"
    custom = event.get("custom_data", {})
    if not isinstance(custom, dict):
        return "custom_data must be an object"
    if event["event_name"] == "Purchase":
        if not isinstance(custom.get("value"), int | float) or isinstance(custom["value"], bool):
            return "Purchase events need custom_data.value"
        currency = custom.get("currency")
        if not (isinstance(currency, str) and len(currency) == 3 and currency.isalpha()):
            return "Purchase events need custom_data.currency (ISO 4217)"
    return None


@bp.get("/meta/<version>/<pixel_id>")
@bp.get("/<graphversion:version>/<pixel_id>")
def read_pixel(version: str, pixel_id: str):  # type: ignore[no-untyped-def]
    section = _meta(_state())
    refused = _refusal(section, pixel_id, "get")
    if refused is not None:
        return refused
    return jsonify(id=pixel_id, name=f"Devstore pixel {pixel_id}")


# ---- controls for tests and demos ----------------------------------------------------------


@bp.post("/_devstore/meta/faults")
def faults_control():  # type: ignore[no-untyped-def]
    """{"kind": "5xx"|"timeout"|"throttle"|"token_invalid"|"off", "times": n?, "status": 503?,
    "retry_after": s?, "regain_minutes": m?, "seconds": s?} and/or {"reject_event_ids": [...]}."""
    spec = request.get_json(silent=True)
    if not isinstance(spec, dict):
        return jsonify(error="send a JSON object"), 400
    section = _meta(_state())
    with _state().lock:
        if "kind" in spec:
            if spec["kind"] not in FAULT_KINDS:
                return jsonify(error=f"kind is one of {sorted(FAULT_KINDS)}"), 400
            section["fault"] = dict(spec)
        if "reject_event_ids" in spec:
            ids = spec["reject_event_ids"]
            if not isinstance(ids, list):
                return jsonify(error="reject_event_ids is a list"), 400
            section["reject_event_ids"] = {str(i) for i in ids}
        return jsonify(fault=section["fault"], reject_event_ids=sorted(section["reject_event_ids"]))


@bp.post("/_devstore/meta/pixels/<pixel_id>")
def register_pixel(pixel_id: str):  # type: ignore[no-untyped-def]
    spec = request.get_json(silent=True) or {}
    token = spec.get("access_token") if isinstance(spec, dict) else None
    if not isinstance(token, str) or not token:
        return jsonify(error="give the access_token this pixel accepts"), 400
    section = _meta(_state())
    with _state().lock:
        section["pixels"][pixel_id] = token
    return jsonify(pixel_id=pixel_id)


@bp.get("/_devstore/meta/events")
def received_events():  # type: ignore[no-untyped-def]
    """What was accepted; `?wait_for=n&timeout=s` waits until n events have arrived;
    `?summary=1` leaves the events out and counts distinct event ids instead. `counted` is what
    Meta would count per event name after deduplicating by (pixel, event name, event id)."""
    section = _meta(_state())
    wait_for = request.args.get("wait_for", type=int) or 0
    timeout = min(request.args.get("timeout", default=10.0, type=float), 60.0)
    with _state().lock:
        section["arrived"].wait_for(lambda: len(section["received"]) >= wait_for, timeout)
        received = list(section["received"])
        requests_seen = section["requests"]
        sizes = list(section["batch_sizes"])
    # What Meta counts: one event per pixel, event name and event id (its deduplication key for
    # browser and server copies), by event name.
    counted: dict[str, int] = {}
    for _pixel, name, _id in {
        (r["pixel_id"], r["event"].get("event_name"), r["event"].get("event_id")) for r in received
    }:
        counted[str(name)] = counted.get(str(name), 0) + 1
    if request.args.get("summary"):
        distinct = len({(r["pixel_id"], r["event"].get("event_id")) for r in received})
        return jsonify(
            count=len(received),
            distinct=distinct,
            counted=counted,
            requests=requests_seen,
            batch_sizes=sizes,
        )
    return jsonify(
        events=received,
        count=len(received),
        counted=counted,
        requests=requests_seen,
        batch_sizes=sizes,
    )


@bp.post("/_devstore/meta/reset")
def reset():  # type: ignore[no-untyped-def]
    state = _state()
    with state.lock:
        state.sections.pop("meta", None)
    _meta(state)
    return jsonify(reset=True)
