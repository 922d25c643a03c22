"""Authorization-code grant for non-embedded installs: /auth/install -> authorize -> callback."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlencode, urlparse

import pytest
import requests

from models import Shop, ShopState
from tests.conftest import TEST_API_KEY
from tests.install.conftest import SHOP, signed, store_status, stored_metafield


def test_code_grant_installs_end_to_end_and_lands_in_the_app(live):
    with requests.Session() as browser:
        response = browser.get(
            f"{live.devstore_url}/_devstore/shops/{SHOP}/legacy-install", timeout=15
        )
        response.close()

    assert response.status_code == 200
    hops = [urlparse(r.headers["Location"]) for r in response.history]
    paths = [hop.path for hop in hops]
    # devstore -> /auth/install -> authorize -> /auth/callback -> the app in the admin -> app
    assert paths == [
        "/auth/install",
        f"/{SHOP}/admin/oauth/authorize",
        "/auth/callback",
        f"/{SHOP}/admin/apps/{TEST_API_KEY}",
        "/",
    ]
    authorize = parse_qs(hops[1].query)
    assert authorize["client_id"] == [TEST_API_KEY]
    assert authorize["redirect_uri"] == [f"{live.app_url}/auth/callback"]
    assert len(authorize["state"][0]) == 64
    assert "Connected to acme.myshopify.com" in response.text

    shop = Shop.get(Shop.domain == SHOP)
    assert shop.state == ShopState.INSTALLED
    assert shop.access_token_expires_at is not None and shop.refresh_token  # expiring token
    status = store_status(live)
    assert (status["code_grants"], status["token_exchanges"]) == (1, 0)
    assert stored_metafield(live) is not None


def test_the_state_cookie_is_short_lived_and_scoped_to_the_callback(live):
    with requests.get(
        f"{live.app_url}/auth/install",
        params=signed({"shop": SHOP}),
        allow_redirects=False,
        timeout=5,
    ) as response:
        cookie = response.headers["Set-Cookie"]
    assert response.status_code == 302
    assert "HttpOnly" in cookie and "Path=/auth/callback" in cookie and "SameSite=Lax" in cookie
    assert "Max-Age=300" in cookie


def _install(live, params):  # type: ignore[no-untyped-def]
    return requests.get(
        f"{live.app_url}/auth/install", params=params, allow_redirects=False, timeout=5
    )


@pytest.mark.parametrize("shop", ["evil.com", "x.myshopify.com.evil.com", "a.myshopify.com/x"])
def test_install_refuses_a_bad_shop_domain(live, shop):
    with _install(live, signed({"shop": shop})) as response:
        assert response.status_code == 400
        assert "Location" not in response.headers
        assert "error" in response.json()
    assert Shop.select().count() == 0


def test_install_refuses_a_tampered_hmac(live):
    params = signed({"shop": SHOP})
    params["shop"] = "other.myshopify.com"  # signed for acme, sent for another shop
    with _install(live, params) as response:
        assert response.status_code == 401
        assert "Location" not in response.headers
    assert Shop.select().count() == 0


def test_install_refuses_a_stale_timestamp(live):
    params = signed({"shop": SHOP, "timestamp": str(int(time.time()) - 120)})
    with _install(live, params) as response:
        assert response.status_code == 401
        assert "Location" not in response.headers


def test_install_accepts_a_request_signed_with_the_old_secret(live):
    live.app.config["SHOPIFY_API_SECRET_OLD"] = "the-previous-secret"
    with _install(live, signed({"shop": SHOP}, secret="the-previous-secret")) as response:
        assert response.status_code == 302


def _authorized_callback(live, browser):  # type: ignore[no-untyped-def]
    """Run install and authorize; return the callback URL Shopify redirects to (unfollowed)."""
    install = browser.get(
        f"{live.app_url}/auth/install",
        params=signed({"shop": SHOP}),
        allow_redirects=False,
        timeout=5,
    )
    install.close()
    authorize = browser.get(install.headers["Location"], allow_redirects=False, timeout=5)
    authorize.close()
    return authorize.headers["Location"]


def _callback_with(url: str, **changes: str) -> str:
    parsed = urlparse(url)
    params = {k: v[0] for k, v in parse_qs(parsed.query).items()}
    params.update(changes)
    return parsed._replace(query=urlencode(params)).geturl()


def test_callback_refuses_a_state_that_does_not_match_the_cookie(live):
    with requests.Session() as browser:
        callback = _authorized_callback(live, browser)
        query = {k: v[0] for k, v in parse_qs(urlparse(callback).query).items()}
        forged = signed(
            {
                **{k: v for k, v in query.items() if k not in ("hmac", "timestamp")},
                "state": "0" * 64,
            }
        )
        with browser.get(
            f"{live.app_url}/auth/callback", params=forged, allow_redirects=False, timeout=5
        ) as response:
            assert response.status_code == 401
            assert "Location" not in response.headers
    assert Shop.select().count() == 0
    assert store_status(live)["code_grants"] == 0


def test_callback_refuses_a_request_without_the_state_cookie(live):
    with requests.Session() as browser:
        callback = _authorized_callback(live, browser)
    with requests.get(callback, allow_redirects=False, timeout=5) as response:  # no cookie
        assert response.status_code == 401
    assert Shop.select().count() == 0


def test_callback_refuses_a_tampered_hmac(live):
    with requests.Session() as browser:
        callback = _authorized_callback(live, browser)
        with browser.get(
            _callback_with(callback, code="f" * 32), allow_redirects=False, timeout=5
        ) as response:
            assert response.status_code == 401
            assert "Location" not in response.headers
    assert Shop.select().count() == 0
    assert store_status(live)["code_grants"] == 0


@pytest.mark.parametrize("shop", ["evil.com", "x.myshopify.com.evil.com", "a.myshopify.com/x"])
def test_callback_refuses_a_bad_shop_domain(live, shop):
    params = signed({"shop": shop, "code": "abc", "state": "s"})
    with requests.get(
        f"{live.app_url}/auth/callback", params=params, allow_redirects=False, timeout=5
    ) as response:
        assert response.status_code == 400
        assert "Location" not in response.headers
    assert Shop.select().count() == 0


def test_a_used_code_cannot_install_again(live):
    with requests.Session() as browser:
        callback = _authorized_callback(live, browser)
        browser.get(callback, allow_redirects=False, timeout=5).close()
        assert Shop.select().count() == 1
        # A replay (fresh signature, same code and state) finds no state cookie any more, and
        # Shopify would refuse the used code anyway.
        query = {k: v[0] for k, v in parse_qs(urlparse(callback).query).items()}
        replay = signed({k: v for k, v in query.items() if k not in ("hmac", "timestamp")})
        with browser.get(
            f"{live.app_url}/auth/callback", params=replay, allow_redirects=False, timeout=5
        ) as response:
            assert response.status_code == 401
    assert store_status(live)["code_grants"] == 1


def test_a_signed_non_embedded_visit_to_the_app_url_starts_the_code_grant(live):
    params = signed({"shop": SHOP})
    with requests.get(f"{live.app_url}/", params=params, allow_redirects=False, timeout=5) as r:
        assert r.status_code == 302
        location = urlparse(r.headers["Location"])
    assert location.path == "/auth/install"
    assert parse_qs(location.query)["hmac"] == [params["hmac"]]
