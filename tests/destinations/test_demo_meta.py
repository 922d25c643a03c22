"""`sightline demo` sends its sample order to devstore's fake Meta API, and the Deliveries page
shows it delivered."""

from __future__ import annotations

import time

import requests

from tests.test_demo import demo_environment, running_demo


def test_demo_sends_its_sample_order_to_meta_and_shows_it_delivered(tmp_path):
    env = demo_environment(tmp_path / "instance")
    env.pop("META_GRAPH_URL", None)
    with running_demo(tmp_path, env) as demo:
        with requests.get(f"{demo.store}/admin/apps/sightline", timeout=15) as admin:
            assert admin.status_code == 200  # installs the app: the sample order follows
        received = requests.get(
            f"{demo.store_root}/_devstore/meta/events",
            params={"wait_for": 1, "timeout": 30},
            timeout=40,
        ).json()
        assert [r["event"]["event_name"] for r in received["events"]] == ["Purchase"]
        assert received["events"][0]["pixel_id"] == "1234567890"
        # Meta has answered; the worker records the answer just after: wait for the page to say so.
        deadline = time.monotonic() + 30
        while True:
            with requests.get(f"{demo.store}/admin/apps/sightline/deliveries", timeout=15) as page:
                assert page.status_code == 200
                if "data-sent>1<" in page.text or time.monotonic() > deadline:
                    break
            time.sleep(0.2)
        assert "data-sent>1<" in page.text
    assert "deliveries:" in demo.output
