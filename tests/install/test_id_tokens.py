"""ID tokens on document loads (bounce on failure) and API calls (401 + App Bridge retry)."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlparse

import pytest
import requests

from models import Shop
from tests.conftest import TEST_API_KEY
from tests.install.conftest import SHOP, id_token, launch

OLD_SECRET = "the-previous-secret-still-accepted-during-rotation"


def _rejected_tokens() -> dict[str, str]:
    now = int(time.time())
    return {
        "wrong aud": id_token(aud="someone-elses-api-key"),
        "wrong signature": id_token()[:-4] + "AAAA",
        "signed with an unknown secret": _signed_with("not-our-secret-at-all-0000000000000"),
        "expired": id_token(exp=now - 30, nbf=now - 90, iat=now - 90),
        "nbf 30 s ahead": id_token(nbf=now + 30),
        "another shop in dest": id_token(dest="https://other.myshopify.com"),
        "garbage": "not-a-jwt",
    }


def _signed_with(secret: str, **claims: object) -> str:
    from devstore.id_tokens import sign_id_token

    return sign_id_token(SHOP, TEST_API_KEY, secret, **claims)


@pytest.fixture
def installed(live):  # type: ignore[no-untyped-def]
    live.app.config["SHOPIFY_API_SECRET_OLD"] = OLD_SECRET
    launch(live)
    return live


@pytest.mark.parametrize("case", list(_rejected_tokens()))
def test_document_load_with_a_bad_id_token_goes_to_the_bounce_page(installed, case):
    token = _rejected_tokens()[case]
    url = f"{installed.app_url}/"
    params = {"shop": SHOP, "host": "aG9zdA", "embedded": "1", "id_token": token}
    with requests.get(url, params=params, allow_redirects=False, timeout=5) as response:
        assert response.status_code == 302
        location = urlparse(response.headers["Location"])
    assert location.path == "/auth/session-token"
    query = parse_qs(location.query)
    reload_target = urlparse(query["shopify-reload"][0])
    assert reload_target.path == "/"
    assert "id_token" not in parse_qs(reload_target.query)
    assert parse_qs(reload_target.query)["shop"] == [SHOP]


def test_document_load_without_id_token_goes_to_the_bounce_page(live):
    with requests.get(
        f"{live.app_url}/", params={"shop": SHOP}, allow_redirects=False, timeout=5
    ) as response:
        assert response.status_code == 302
        assert urlparse(response.headers["Location"]).path == "/auth/session-token"
    assert Shop.select().count() == 0


@pytest.mark.parametrize("case", list(_rejected_tokens()))
def test_api_call_with_a_bad_id_token_gets_401_and_the_retry_header(installed, case):
    headers = {"Authorization": f"Bearer {_rejected_tokens()[case]}"}
    with requests.post(f"{installed.app_url}/config-sync", headers=headers, timeout=5) as response:
        assert response.status_code == 401
        assert response.headers["X-Shopify-Retry-Invalid-Session-Request"] == "1"
        assert "error" in response.json()


def _accepted_tokens() -> dict[str, str]:
    now = int(time.time())
    return {
        "fresh": id_token(),
        "nbf 5 s ahead": id_token(nbf=now + 5, iat=now + 5),
        "signed with the old secret": _signed_with(OLD_SECRET),
    }


@pytest.mark.parametrize("case", list(_accepted_tokens()))
def test_document_load_accepts(installed, case):
    params = {"shop": SHOP, "embedded": "1", "id_token": _accepted_tokens()[case]}
    with requests.get(
        f"{installed.app_url}/", params=params, allow_redirects=False, timeout=5
    ) as response:
        assert response.status_code == 200
        assert "Connected to acme.myshopify.com" in response.text


@pytest.mark.parametrize("case", list(_accepted_tokens()))
def test_api_call_accepts(installed, case):
    headers = {"Authorization": f"Bearer {_accepted_tokens()[case]}"}
    with requests.post(f"{installed.app_url}/config-sync", headers=headers, timeout=5) as response:
        assert response.status_code == 200
        assert response.json()["synced"] is True


def test_bounce_page_loads_app_bridge_and_offers_a_way_back(live):
    params = {"shop": SHOP, "shopify-reload": f"/?shop={SHOP}"}
    with requests.get(f"{live.app_url}/auth/session-token", params=params, timeout=5) as response:
        assert response.status_code == 200
        assert 'src="https://cdn.shopify.com/shopifycloud/app-bridge.js"' in response.text
        assert f'content="{TEST_API_KEY}"' in response.text
        assert f"{live.devstore_url}/{SHOP}/admin/apps/{TEST_API_KEY}" in response.text
        assert response.headers["Content-Security-Policy"] == (
            f"frame-ancestors https://{SHOP} https://admin.shopify.com;"
        )


def test_responses_outside_the_admin_cannot_be_framed(live):
    with requests.get(f"{live.app_url}/healthz", timeout=5) as response:
        assert response.headers["Content-Security-Policy"] == "frame-ancestors 'none';"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
