"""Signature and header checks, without a server."""

from __future__ import annotations

import pytest

from devstore.webhooks import signature as shopify_signature
from webhooks.envelope import Envelope, EnvelopeError, read_envelope
from webhooks.verify import is_authentic, shopify_header, sign

SECRET = "current-secret"
OLD = "old-secret"
BODY = b'{"id":820982911946154508,"total_price":"59.80"}'


def test_signature_matches_what_shopify_computes():
    assert sign(BODY, SECRET) == shopify_signature(BODY, SECRET)


def test_current_and_old_secret_are_accepted():
    assert is_authentic(BODY, shopify_signature(BODY, SECRET), [SECRET, OLD])
    assert is_authentic(BODY, shopify_signature(BODY, OLD), [SECRET, OLD])


def test_old_secret_is_refused_once_rotation_is_over():
    assert not is_authentic(BODY, shopify_signature(BODY, OLD), [SECRET, None])


@pytest.mark.parametrize(
    "presented",
    ["", "not base64 at all", shopify_signature(BODY, "someone-else"), "é" * 44],
)
def test_missing_wrong_or_garbage_signatures_are_refused(presented):
    assert not is_authentic(BODY, presented, [SECRET, OLD])


def test_body_altered_by_one_byte_is_refused():
    good = shopify_signature(BODY, SECRET)
    altered = BODY.replace(b"59.80", b"59.81")
    assert len(altered) == len(BODY)
    assert not is_authentic(altered, good, [SECRET])


def test_both_header_forms_are_read():
    assert shopify_header({"X-Shopify-Topic": "orders/paid"}, "Topic") == "orders/paid"
    assert shopify_header({"Shopify-Topic": "orders/paid"}, "Topic") == "orders/paid"
    assert shopify_header({}, "Topic") == ""


def test_envelope_reads_every_header_in_the_unprefixed_form():
    envelope = read_envelope(
        {
            "Shopify-Topic": "orders/paid",
            "Shopify-Webhook-Id": "w-1",
            "Shopify-Shop-Domain": "Acme.myshopify.com",
            "Shopify-API-Version": "2026-10",
            "Shopify-Triggered-At": "2026-11-26T01:00:00Z",
        }
    )
    assert envelope == Envelope(
        topic="orders/paid",
        shop="acme.myshopify.com",
        webhook_id="w-1",
        api_version="2026-10",
        triggered_at="2026-11-26T01:00:00Z",
    )


@pytest.mark.parametrize(
    "headers",
    [
        {"X-Shopify-Webhook-Id": "w", "X-Shopify-Shop-Domain": "a.myshopify.com"},
        {"X-Shopify-Topic": "orders/paid", "X-Shopify-Shop-Domain": "a.myshopify.com"},
        {"X-Shopify-Topic": "orders/paid", "X-Shopify-Webhook-Id": "w"},
        {
            "X-Shopify-Topic": "orders/paid",
            "X-Shopify-Webhook-Id": "w",
            "X-Shopify-Shop-Domain": "a.myshopify.com.evil.com",
        },
    ],
)
def test_envelope_without_topic_id_or_valid_shop_is_refused(headers):
    with pytest.raises(EnvelopeError):
        read_envelope(headers)
