"""Fuzzed bodies never make POST /proxy/track fail with a 500: every answer is a 2xx or 4xx
JSON reply, and whatever was accepted is exactly what got stored."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from models import Event
from models import db as db_proxy
from shopify_app import create_app
from tests.conftest import app_config, release
from tests.ingest.proxy_client import SHOP, post_track


@pytest.fixture
def app(database_url: str) -> Iterator[Flask]:
    """One fuzzing visitor sends hundreds of requests: lift the per-visitor rate limit."""
    application = create_app(
        app_config(database_url, PROXY_VISITOR_RATE_PER_SECOND=1e6, PROXY_VISITOR_RATE_BURST=1e6)
    )
    yield application
    release(db_proxy.obj)


FUZZ = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=40)
)
any_json = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=20,
)
ids = st.text(min_size=0, max_size=70) | st.from_regex(r"[A-Za-z0-9_-]{8,64}", fullmatch=True)
urls = st.one_of(
    st.text(max_size=60),
    st.builds(lambda path: f"https://{SHOP}/{path}", st.text(max_size=60)),
)
events = st.fixed_dictionaries(
    {},
    optional={
        "id": ids | any_json,
        "name": st.sampled_from(["page_view", "wishlist", "purchase"]) | any_json,
        "url": urls | any_json,
        "page_type": st.sampled_from(["product", "index", "x" * 70]) | any_json,
        "data": st.dictionaries(st.text(max_size=10), any_json, max_size=4) | any_json,
        "value": st.floats() | st.text(max_size=12) | st.integers() | any_json,
        "currency": st.sampled_from(["EUR", "usd", "XXX", ""]) | any_json,
    },
)
batches = st.fixed_dictionaries(
    {"events": st.lists(events | any_json, max_size=8)},
    optional={
        "session_id": ids | any_json,
        "marketing": any_json,
        "fbp": st.text(max_size=40) | any_json,
        "fbc": st.text(max_size=40) | any_json,
        "referrer": urls | any_json,
        "attribution": st.dictionaries(
            st.sampled_from(["utm_source", "gclid", "other"]), st.text(max_size=300) | any_json
        )
        | any_json,
    },
)


@FUZZ
@given(body=batches | any_json)
def test_fuzzed_json_bodies_never_fail(app, client, body):
    raw = json.dumps(body).encode()  # NaN and Infinity included, as a browser could not send
    with app.app_context():
        before = Event.select().count()
    response = post_track(client, None, raw=raw)
    assert response.status_code in (200, 400, 413, 422), response.data
    reply = response.get_json()
    if response.status_code == 200:
        assert set(reply) == {"accepted", "rejected"}
        assert reply["accepted"] + len(reply["rejected"]) == len(body["events"])
    else:
        assert isinstance(reply["error"], str)
    with app.app_context():
        # Stored rows grow by at most what was accepted (less when an event_id repeats).
        added = Event.select().count() - before
    assert 0 <= added <= (reply["accepted"] if response.status_code == 200 else 0)


@FUZZ
@given(raw=st.binary(max_size=300))
def test_fuzzed_raw_bytes_never_fail(client, raw):
    response = post_track(client, None, raw=raw)
    assert response.status_code in (200, 400, 413, 422)
