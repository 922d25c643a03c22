"""`sightline demo` serves the app beside devstore: the admin installs and the storefront loads."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from shopify_app.sockets import listening_socket

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


def demo_command(*options: str) -> list[str]:
    return [sys.executable, "-m", "shopify_app.cli", "demo", "--shop", SHOP, *options]


def demo_environment(instance: Path | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SHOPIFY_", "DATABASE_URL"))}
    if instance is not None:
        env["SIGHTLINE_INSTANCE_DIR"] = str(instance)
    return env


@dataclass
class RunningDemo:
    app_url: str
    store: str  # the demo shop's storefront root, e.g. http://127.0.0.1:8765/demo-shop...
    store_root: str  # devstore itself
    output: str


@contextmanager
def running_demo(tmp_path: Path, env: dict[str, str] | None = None) -> Iterator[RunningDemo]:
    """`sightline demo` on port 0 in `tmp_path`, stopped (SIGTERM) when the block ends; the
    demo's whole output is in `.output` afterwards."""
    demo = subprocess.Popen(
        demo_command("--port", "0", "--devstore-port", "0"),
        cwd=tmp_path,
        env=env or demo_environment(tmp_path / "instance"),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output = ""
    try:
        assert demo.stdout is not None
        for line in demo.stdout:  # the instructions come before the server starts
            output += line
            if "deliveries:" in line:  # the last line of the instructions
                break
        app_url = re.search(r"app:\s+(http://127\.0\.0\.1:\d+)", output).group(1)
        store = re.search(r"storefront:\s+(http://127\.0\.0\.1:\d+/[^/]+)/", output).group(1)
        running = RunningDemo(app_url, store, store.rsplit("/", 1)[0], output)
        wait_for(f"{app_url}/healthz")
        yield running
    finally:
        demo.send_signal(signal.SIGTERM)
        rest, _ = demo.communicate(timeout=30)
        output += rest
        if "running" in locals():
            running.output = output


def test_demo_installs_in_devstore_and_serves_the_storefront(tmp_path):
    # Port 0: the demo binds both ports itself and prints where they are; nothing to race for.
    with running_demo(tmp_path) as demo:
        with requests.get(f"{demo.store}/admin/apps/sightline", timeout=15) as admin:
            assert admin.status_code == 200 and "Connected to demo-shop.myshopify.com" in admin.text
        with requests.get(f"{demo.store}/products/red-shoes", timeout=15) as page:
            assert page.status_code == 200 and "sightline.js" in page.text
        assert (tmp_path / "instance" / "demo.db").exists()
    assert "storefront:" in demo.output
    with pytest.raises(requests.ConnectionError):  # devstore stopped with the demo
        requests.get(f"{demo.store_root}/_devstore", timeout=2)


def test_demo_on_a_taken_port_says_so_in_one_line(tmp_path):
    with listening_socket() as taken:
        port = taken.getsockname()[1]
        result = subprocess.run(
            demo_command("--port", str(port), "--devstore-port", "0"),
            cwd=tmp_path,
            env=demo_environment(),
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 1
    assert result.stderr.strip() == (
        f"sightline: error: cannot listen on 127.0.0.1:{port}: Address already in use"
    )


def test_devstore_on_a_taken_port_says_so_in_one_line():
    with listening_socket() as taken:
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "devstore", "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.strip() == (
        f"devstore: error: cannot listen on 127.0.0.1:{port}: Address already in use"
    )
