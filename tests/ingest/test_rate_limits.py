"""Storefront rate limits kept by the `limits` library: per visitor and per shop, shared by every
process that uses the same storage (Redis), and never a reason to stop tracking when the storage
itself is down."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from models import db as db_proxy
from shopify_app import create_app
from shopify_app.proxy.ratelimit import RateLimiter, open_storage
from tests.conftest import app_config, release
from tests.ingest.proxy_client import batch, event, post_track

TIGHT = {"PROXY_VISITOR_RATE_PER_SECOND": 0.01, "PROXY_VISITOR_RATE_BURST": 2}


@pytest.fixture
def redis_uri(tmp_path: Path) -> Iterator[str]:
    """A private redis-server on a unix socket (no port to race for), stopped afterwards."""
    server = shutil.which("redis-server")
    if server is None:
        if os.environ.get("CI") == "true":
            pytest.fail("redis-server is required under CI=true (.ci/run installs it)")
        pytest.skip("redis-server is not installed")
    sock = tmp_path / "redis.sock"
    process = subprocess.Popen(
        [server, "--port", "0", "--unixsocket", str(sock), "--save", "", "--appendonly", "no"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert process.stdout is not None
        for line in process.stdout:  # ends if the server exits
            if "ready to accept connections" in line.lower():
                break
        else:
            pytest.fail("redis-server did not start")
        yield f"redis+unix://{sock}"
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stdout.close()  # type: ignore[union-attr]


def test_each_visitor_and_each_shop_has_its_own_budget():
    storage = open_storage("memory://")
    visitor = RateLimiter(storage, "visitor", rate_per_second=0.01, burst=2)
    shop = RateLimiter(storage, "shop", rate_per_second=0.01, burst=2)
    assert [visitor.allow("acme|1.1.1.1") for _ in range(3)] == [True, True, False]
    assert visitor.allow("acme|2.2.2.2") is True
    assert shop.allow("acme|1.1.1.1") is True  # another limit, another count
    assert 1 <= visitor.retry_after("acme|1.1.1.1") <= 200


def two_apps(database_url: str, **settings: object):  # type: ignore[no-untyped-def]
    # Two app instances with their own limiter objects: what two gunicorn workers (or hosts)
    # are to each other.
    return [create_app(app_config(database_url, **TIGHT, **settings)) for _ in range(2)]


def test_with_redis_every_process_shares_the_visitor_budget(database_url, redis_uri):
    first, second = two_apps(database_url, RATE_LIMIT_STORAGE_URI=redis_uri)
    try:
        codes = [
            post_track(app.test_client(), batch(event()), ip="203.0.113.9").status_code
            for app in (first, second, first)
        ]
        assert codes == [200, 200, 429]
        assert post_track(second.test_client(), batch(event()), ip="198.51.100.7").status_code == (
            200
        )
    finally:
        release(db_proxy.obj)


def test_with_memory_storage_each_process_counts_alone(database_url):
    first, second = two_apps(database_url, RATE_LIMIT_STORAGE_URI="memory://")
    try:
        codes = [
            post_track(app.test_client(), batch(event()), ip="203.0.113.9").status_code
            for app in (first, first, second)
        ]
        assert codes == [200, 200, 200]
    finally:
        release(db_proxy.obj)


def test_429_says_when_to_come_back(database_url, redis_uri):
    app = create_app(app_config(database_url, RATE_LIMIT_STORAGE_URI=redis_uri, **TIGHT))
    try:
        client = app.test_client()
        answers = [post_track(client, batch(event()), ip="203.0.113.9") for _ in range(3)]
        refused = answers[-1]
        assert refused.status_code == 429
        assert refused.get_json() == {"error": "too many requests"}
        assert 1 <= int(refused.headers["Retry-After"]) <= 200
    finally:
        release(db_proxy.obj)


def test_unreachable_storage_allows_requests_and_logs_one_line(database_url, tmp_path, caplog):
    missing = f"redis+unix://{tmp_path}/no-redis-here.sock"
    app = create_app(app_config(database_url, RATE_LIMIT_STORAGE_URI=missing, **TIGHT))
    try:
        client = app.test_client()
        with caplog.at_level(logging.WARNING, logger="shopify_app.proxy.ratelimit"):
            codes = [
                post_track(client, batch(event()), ip="203.0.113.9").status_code for _ in "abc"
            ]
        assert codes == [200, 200, 200]
        lines = [r for r in caplog.records if r.name == "shopify_app.proxy.ratelimit"]
        assert len(lines) == 1 and "allowing requests" in lines[0].getMessage()
    finally:
        release(db_proxy.obj)
