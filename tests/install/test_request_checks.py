"""The building blocks of request checks: query HMAC, shop domain, state cookie."""

from __future__ import annotations

import time

import pytest
import shopify
from flask import Response
from werkzeug.datastructures import MultiDict

from shopify_app.auth import oauth_state
from shopify_app.auth.query_hmac import sign, verify_query
from shopify_app.auth.shop_domain import valid_shop_domain

SECRET = "hush"


@pytest.mark.parametrize(
    "params",
    [
        [("shop", "acme.myshopify.com"), ("timestamp", "1700000000"), ("host", "YWRtaW4")],
        [("code", "a&b=c%d"), ("shop", "acme.myshopify.com"), ("state", "x=y")],
        [("ids[]", "1"), ("ids[]", "2"), ("shop", "acme.myshopify.com")],
    ],
)
def test_query_hmac_matches_shopify_api(params):
    """Our signature is ShopifyAPI's (Session.calculate_hmac), escapes and arrays included."""
    multidict = MultiDict(params)
    as_dict = {k: (multidict.getlist(k) if k.endswith("[]") else multidict[k]) for k in multidict}
    previous = shopify.Session.secret
    shopify.Session.secret = SECRET
    try:
        assert sign(multidict, SECRET) == shopify.Session.calculate_hmac(as_dict)
    finally:
        shopify.Session.secret = previous


def _signed(**params: str) -> MultiDict:
    multidict = MultiDict(list(params.items()))
    multidict["hmac"] = sign(multidict, SECRET)
    return multidict


def test_query_hmac_accepts_a_fresh_signature_and_the_old_secret():
    now = time.time()
    params = _signed(shop="acme.myshopify.com", timestamp=str(int(now)))
    assert verify_query(params, [SECRET, None], now=now)
    assert verify_query(params, ["new-secret", SECRET], now=now)
    assert not verify_query(params, ["new-secret"], now=now)


@pytest.mark.parametrize("skew", [-91, 91])
def test_query_hmac_refuses_timestamps_beyond_90_seconds(skew):
    now = time.time()
    params = _signed(shop="acme.myshopify.com", timestamp=str(int(now) + skew))
    assert not verify_query(params, [SECRET], now=now)
    assert verify_query(params, [SECRET], now=now + skew)


def test_query_hmac_refuses_missing_or_garbled_parts():
    now = time.time()
    params = _signed(shop="acme.myshopify.com", timestamp=str(int(now)))
    for broken in ({"hmac": ""}, {"timestamp": "soon"}, {"hmac": "0" * 64}):
        tampered = params.copy()
        for key, value in broken.items():
            tampered[key] = value
        assert not verify_query(tampered, [SECRET], now=now)


def test_query_hmac_refuses_repeated_params():
    now = time.time()
    params = _signed(shop="acme.myshopify.com", timestamp=str(int(now)))
    params.add("shop", "victim.myshopify.com")  # the signature covers one, a view reads another
    assert not verify_query(params, [SECRET], now=now)


@pytest.mark.parametrize(
    "value",
    [
        "evil.com",
        "x.myshopify.com.evil.com",
        "a.myshopify.com/x",
        "https://a.myshopify.com",
        "a.myshopify.com\n",
        "-a.myshopify.com",
        ".myshopify.com",
        "a_b.myshopify.com",
        "",
        None,
    ],
)
def test_shop_domain_check_is_anchored(value):
    assert valid_shop_domain(value) is None


def test_shop_domain_check_accepts_and_normalises_real_domains():
    assert valid_shop_domain("Acme-2.myshopify.com") == "acme-2.myshopify.com"


def test_state_cookie_binds_nonce_and_shop():
    response = Response()
    nonce = oauth_state.issue_state(response, "key", "acme.myshopify.com", secure=True)
    cookie = response.headers["Set-Cookie"].split(";")[0].split("=", 1)[1]
    assert "Secure" in response.headers["Set-Cookie"]
    assert oauth_state.state_matches(cookie, "key", nonce, "acme.myshopify.com")
    assert not oauth_state.state_matches(cookie, "key", nonce, "other.myshopify.com")
    assert not oauth_state.state_matches(cookie, "key", "0" * 64, "acme.myshopify.com")
    assert not oauth_state.state_matches(cookie, "other-key", nonce, "acme.myshopify.com")
    assert not oauth_state.state_matches(cookie + "x", "key", nonce, "acme.myshopify.com")
