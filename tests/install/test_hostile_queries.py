"""Hostile query strings get a 4xx or a redirect to the bounce page, never a 500."""

from __future__ import annotations

import time

import pytest

NOW = str(int(time.time()))


@pytest.mark.parametrize(
    "query",
    [
        f"shop=a.myshopify.com&timestamp={NOW}&hmac=%C3%A9",  # non-ASCII hmac
        "shop=a.myshopify.com&timestamp=1" + "0" * 400 + "&hmac=00",  # absurd timestamp
        "shop=a.myshopify.com&timestamp=%C2%B2&hmac=00",  # a digit only to str.isdigit
    ],
)
@pytest.mark.parametrize("path", ["/auth/install", "/"])
def test_malformed_signed_queries_never_500(client, path, query):
    response = client.get(f"{path}?{query}")
    assert 300 <= response.status_code < 500


@pytest.mark.parametrize(
    "target", ["https://evil.example/steal", "//evil.example/steal", "/\\evil.example"]
)
def test_bounce_page_only_reloads_paths_of_this_app(client, target):
    response = client.get("/auth/session-token", query_string={"shopify-reload": target})
    assert response.status_code == 400


def test_bounce_page_reloads_an_app_path(client):
    response = client.get("/auth/session-token", query_string={"shopify-reload": "/events?shop=a"})
    assert response.status_code == 200
