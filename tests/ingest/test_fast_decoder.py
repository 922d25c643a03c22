"""The msgspec fast path of batch validation decides exactly as the per-event checks do: the
same events accepted, the same ones rejected with the same index and message."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shopify_app.ingest import validate
from shopify_app.ingest.validate import parse_batch, parse_body


def good(**overrides: Any) -> dict[str, Any]:
    event = {
        "id": "evt_0000000001",
        "name": "page_view",
        "url": "https://shop.example/products/a?utm_source=x",
        "page_type": "product",
        "data": {"title": "A"},
    }
    event.update(overrides)
    return event


VARIANTS: list[dict[str, Any]] = [
    good(),
    good(id="short"),
    good(id="evt_000000001\n"),
    good(name="Page View"),
    good(url="ftp://shop.example/"),
    good(url=""),
    good(url="https://shop.example/" + "a" * 2100),
    good(page_type="Product Page"),
    good(data=[1]),
    good(data={"a": "\u0000"}),
    good(data={"big": "x" * 5000}),
    good(data={"k" + str(i): i for i in range(700)}),  # within 4096 compact, over with spaces
    good(value=True),
    good(value="12.345"),
    good(value=-1),
    good(value=1e12),
    good(value="abc"),
    good(currency="EURO"),
    good(currency="EUR", value=19.9),
    good(name="click", data={"tag": "A", "text": "Buy\u0000 now", "href": "/x", "extra": 1}),
    "not an object",
    good(id=12345678),
    good(data=None, page_type=None, value=None, currency=None),
]


def both(body: dict[str, Any]) -> tuple[Any, Any]:
    return parse_body(json.dumps(body).encode()), parse_batch(json.loads(json.dumps(body)))


@pytest.mark.parametrize("variant", range(len(VARIANTS)))
def test_each_variant_alone_and_beside_a_good_event_is_decided_alike(variant: int):
    for events in ([VARIANTS[variant]], [good(id="evt_first_0001"), VARIANTS[variant]]):
        fast, slow = both({"session_id": "sess_00000001", "marketing": True, "events": events})
        assert fast == slow


def test_the_fast_path_is_taken_for_a_clean_batch(monkeypatch: pytest.MonkeyPatch):
    calls: list[Any] = []
    monkeypatch.setattr(validate, "parse_batch", lambda body: calls.append(body))
    _context, events, rejected = parse_body(
        json.dumps({"events": [good(), good(value="5", currency="EUR")]}).encode()
    )
    assert calls == [] and len(events) == 2 and rejected == []


def test_invalid_json_and_bad_shapes_raise_as_before():
    with pytest.raises(validate.InvalidJSONError):
        parse_body(b"{not json")
    with pytest.raises(validate.InvalidJSONError):
        parse_body(b"\xff\xfe")
    with pytest.raises(validate.BatchShapeError):
        parse_body(b"[1, 2]")
    with pytest.raises(validate.BatchTooLargeError):
        parse_body(json.dumps({"events": [good()] * 51}).encode())


texts = st.text(max_size=20)
scalars = st.none() | st.booleans() | st.integers(-(10**15), 10**15) | texts
fields = st.fixed_dictionaries(
    {},
    optional={
        "id": st.sampled_from(["evt_0000000001", "x", "evt_0000000002"]) | scalars,
        "name": st.sampled_from(["page_view", "click", "wishlist", "Bad"]) | scalars,
        "url": st.sampled_from(["https://a.example/?gclid=1", "mailto:x", ""]) | scalars,
        "page_type": st.sampled_from(["product", "bad type", None]) | scalars,
        "data": st.dictionaries(texts, scalars, max_size=4) | scalars,
        "value": st.sampled_from([0, 12.5, "3.10", -1, "1e13", float("1e300")]) | scalars,
        "currency": st.sampled_from(["EUR", "usd", None]) | scalars,
    },
)


@settings(max_examples=300, deadline=None)
@given(st.lists(fields, max_size=6), scalars, scalars)
def test_random_batches_are_decided_alike(events: list[Any], session: Any, marketing: Any):
    fast, slow = both({"events": events, "session_id": session, "marketing": marketing})
    assert fast == slow
