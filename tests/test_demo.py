"""`sightline demo` serves the app beside devstore: the admin installs and the storefront loads."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
import requests

from devstore.server import free_port

SHOP = "demo-shop.myshopify.com"


def wait_for(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            requests.get(url, timeout=1).close()
            return
        except requests.RequestException:
            time.sleep(0.2)
    raise AssertionError(f"{url} never answered")


def test_demo_installs_in_devstore_and_serves_the_storefront(tmp_path):
    port, store_port = free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SHOPIFY_", "DATABASE_URL"))}
    demo = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "shopify_app.cli",
            "demo",
            "--port",
            str(port),
            "--devstore-port",
            str(store_port),
            "--shop",
            SHOP,
        ],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        wait_for(f"http://127.0.0.1:{port}/healthz")
        store = f"http://127.0.0.1:{store_port}/{SHOP}"
        with requests.get(f"{store}/admin/apps/sightline", timeout=15) as admin:
            assert admin.status_code == 200 and "Connected to demo-shop.myshopify.com" in admin.text
        with requests.get(f"{store}/products/red-shoes", timeout=15) as page:
            assert page.status_code == 200 and "sightline.js" in page.text
        assert (tmp_path / "instance" / "demo.db").exists()
    finally:
        demo.send_signal(signal.SIGTERM)
        output, _ = demo.communicate(timeout=30)
    assert "storefront:" in output
    with pytest.raises(requests.ConnectionError):  # devstore stopped with the demo
        requests.get(f"http://127.0.0.1:{store_port}/_devstore", timeout=2)
