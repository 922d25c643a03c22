"""`sightline demo` sends its sample order to devstore's fake Meta API, and the Deliveries page
shows it delivered."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import requests

from devstore.server import free_port
from tests.test_demo import wait_for

SHOP = "demo-shop.myshopify.com"


def test_demo_sends_its_sample_order_to_meta_and_shows_it_delivered(tmp_path):
    port, store_port = free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SHOPIFY_", "DATABASE_URL"))}
    env.pop("META_GRAPH_URL", None)
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
        store = f"http://127.0.0.1:{store_port}"
        received = requests.get(
            f"{store}/_devstore/meta/events", params={"wait_for": 1, "timeout": 30}, timeout=40
        ).json()
        assert [r["event"]["event_name"] for r in received["events"]] == ["Purchase"]
        assert received["events"][0]["pixel_id"] == "1234567890"
        with requests.get(f"{store}/{SHOP}/admin/apps/sightline/deliveries", timeout=15) as page:
            assert page.status_code == 200
            assert "data-sent>1<" in page.text
    finally:
        demo.send_signal(signal.SIGTERM)
        output, _ = demo.communicate(timeout=30)
    assert "deliveries:" in output
