"""`sightline demo` sends its sample order to devstore's fake Meta API, and the Deliveries page
shows it delivered."""

from __future__ import annotations

import re
import signal
import subprocess

import requests

from tests.test_demo import demo_command, demo_environment, wait_for


def test_demo_sends_its_sample_order_to_meta_and_shows_it_delivered(tmp_path):
    env = demo_environment(tmp_path / "instance")
    env.pop("META_GRAPH_URL", None)
    demo = subprocess.Popen(
        demo_command("--port", "0", "--devstore-port", "0"),
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output = ""
    try:
        assert demo.stdout is not None
        for line in demo.stdout:  # the instructions come before the server starts
            output += line
            if "deliveries:" in line:
                break
        app_url = re.search(r"app:\s+(http://127\.0\.0\.1:\d+)", output).group(1)
        store = re.search(r"storefront:\s+(http://127\.0\.0\.1:\d+/[^/]+)/", output).group(1)
        store_root = store.rsplit("/", 1)[0]
        wait_for(f"{app_url}/healthz")
        with requests.get(f"{store}/admin/apps/sightline", timeout=15) as admin:
            assert admin.status_code == 200  # installs the app: the sample order follows
        received = requests.get(
            f"{store_root}/_devstore/meta/events", params={"wait_for": 1, "timeout": 30}, timeout=40
        ).json()
        assert [r["event"]["event_name"] for r in received["events"]] == ["Purchase"]
        assert received["events"][0]["pixel_id"] == "1234567890"
        with requests.get(f"{store}/admin/apps/sightline/deliveries", timeout=15) as page:
            assert page.status_code == 200
            assert "data-sent>1<" in page.text
    finally:
        demo.send_signal(signal.SIGTERM)
        rest, _ = demo.communicate(timeout=30)
        output += rest
    assert "deliveries:" in output
