"""The live stack: app and devstore really serve HTTP on loopback."""

import requests


def test_live_stack_serves_both_servers(live):
    assert requests.get(f"{live.app_url}/healthz", timeout=5).json()["database"] == "ok"
    about = requests.get(f"{live.devstore_url}/_devstore", timeout=5).json()
    assert about["app_url"] == live.app_url
