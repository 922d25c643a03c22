"""Our normalisation and hashing against Meta's documented examples and Meta's own SDK."""

from __future__ import annotations

import pytest
from facebook_business.adobjects.serverside.normalize import Normalize

from shopify_app.destinations.meta_normalize import hash_field, normalize

# Examples from Meta's Conversions API documentation (customer information parameters, and the
# sample payload of "Using the API").
DOCUMENTED = [
    (
        "em",
        "John_Smith@gmail.com",
        "62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f",
    ),
    ("ph", "12345678901", "254aa248acb47dd654ca3ea53f48c2c26d641d23d7e2e93a1ec56258df7674c4"),
    ("fn", "John", "96d9632f363564cc3032521409cf22a852f2032eec099ed5967c0d000cec607a"),
    ("country", "US", "79adb2a2fce5c6ba215fe5f27f532d4e7edbac4b6a5e09e1ef3a08084a904621"),
]


@pytest.mark.parametrize(("field", "raw", "digest"), DOCUMENTED)
def test_hashes_match_metas_documented_examples(field, raw, digest):
    assert hash_field(field, raw) == digest


SAMPLES = [
    ("em", "  Ada.Lovelace@Example.COM "),
    ("em", "joe@eg.com"),
    ("ph", "+44 7700 900123"),
    ("ph", "(650) 555-1212"),
    ("ph", "0044 20 7946 0958"),
    ("ph", "1-650-555-1212"),
    ("fn", " Ada "),
    ("ln", "LOVELACE"),
    ("fn", "Zoë"),
    ("ct", "San Francisco"),
    ("ct", "Saint-Étienne (Loire) 42"),
    ("ct", "St. Louis"),
    ("st", "CA"),
    ("st", "N.Y."),
    ("zp", "94035-1234"),
    ("zp", "SW1Y 4JH"),
    ("zp", " 10 115 "),
    ("country", "GB"),
    ("country", " de "),
    ("external_id", "7300000000001"),
    ("em", "a" * 64),  # already a SHA-256 digest: passed through
    ("ph", "5d41402abc4b2a76b9719d911017c592"),  # already an MD5 digest
]


@pytest.mark.parametrize(("field", "raw"), SAMPLES)
def test_normalisation_agrees_with_metas_sdk(field, raw):
    assert normalize(field, raw) == Normalize.normalize_field_skip_hashing(field, raw)
    assert hash_field(field, raw) == Normalize.normalize_field(field, raw)


REFUSED_BY_THE_SDK = [
    ("em", "not-an-email"),
    ("country", "XX"),
    ("country", "United Kingdom"),
    ("ph", "0"),
]


@pytest.mark.parametrize(("field", "raw"), REFUSED_BY_THE_SDK)
def test_values_the_sdk_refuses_are_left_out(field, raw):
    with pytest.raises((TypeError, ValueError)):
        Normalize.normalize_field(field, raw)
    assert hash_field(field, raw) is None


def test_empty_values_are_left_out():
    assert hash_field("em", None) is None and hash_field("ct", "  ") is None
