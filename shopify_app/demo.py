"""`sightline demo`: the app beside devstore (the local Shopify stand-in), wired to each other,
for a first look without a Shopify store. Development credentials only."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import threading
import time
from typing import Any

import requests

from models import AppSettings, db, open_database
from models.crypto import configure_cipher
from models.schema import migrate
from shopify_app.config import (
    DEV_API_KEY,
    DEV_API_SECRET,
    ConfigError,
    instance_dir,
    load_settings,
    sqlite_url,
)

# The demo shop sends to devstore's fake Conversions API with these (nothing leaves the machine).
DEMO_PIXEL_ID = "1234567890"
DEMO_META_TOKEN = "demo-conversions-api-token"  # noqa: S105 (a public demo value)
CONSENT_ATTRIBUTE = "_sightline_consent_marketing"


def demo_config(port: int, devstore_port: int) -> dict[str, Any]:
    """App settings pointing every Shopify and Meta URL at devstore."""
    settings = load_settings()
    if settings["SIGHTLINE_ENV"] == "production":
        raise ConfigError("`sightline demo` is for development; unset SIGHTLINE_ENV=production")
    store = f"http://127.0.0.1:{devstore_port}"
    return {
        "SHOPIFY_API_KEY": DEV_API_KEY,
        "SHOPIFY_API_SECRET": DEV_API_SECRET,
        "SHOPIFY_API_SECRET_OLD": None,
        "USING_DEV_CREDENTIALS": True,
        "APP_URL": f"http://127.0.0.1:{port}",
        "SHOPIFY_ADMIN_URL_TEMPLATE": f"{store}/{{shop}}",
        "META_GRAPH_URL": f"{store}/meta",
        # Its own database unless one is named: the demo shop stays out of a real one.
        "DATABASE_URL": os.environ.get("DATABASE_URL") or sqlite_url(instance_dir() / "demo.db"),
    }


def prepare_database(url: str) -> list[str]:
    """A demo migrates its own database: there is nothing to protect in it."""
    database = open_database(url, pooled=False)
    with database.connection_context():
        return migrate(database)


def start_devstore(sock: socket.socket, app_url: str) -> subprocess.Popen[bytes]:
    """devstore in its own process (gunicorn forks the app; devstore must not be forked along),
    serving on `sock`, which this process bound already: the port cannot be lost in between."""
    port = sock.getsockname()[1]
    fd = sock.fileno()
    process = subprocess.Popen(  # noqa: S603 (our own module, fixed arguments)
        [sys.executable, "-m", "devstore", "--fd", str(fd), "--app-url", app_url],
        stdout=subprocess.DEVNULL,
        pass_fds=(fd,),
    )
    for _ in range(100):
        try:
            requests.get(f"http://127.0.0.1:{port}/_devstore", timeout=1).close()
            return process
        except requests.RequestException:
            if process.poll() is not None:
                raise ConfigError(
                    "devstore did not start (are the dev extras installed?)"
                ) from None
            time.sleep(0.1)
    process.terminate()
    raise ConfigError(f"devstore did not answer on port {port}")


def prepare_demo_shop(config: dict[str, Any], shop: str) -> None:
    """The demo shop sends to Meta (devstore's fake) unless it already has settings of its own."""
    configure_cipher(config.get("TOKEN_ENCRYPTION_KEY") or load_settings()["TOKEN_ENCRYPTION_KEY"])
    database = open_database(config["DATABASE_URL"], pooled=False)
    db.initialize(database)
    with database.connection_context():
        if AppSettings.get_or_none(AppSettings.app_id == shop) is None:
            AppSettings.create(
                app_id=shop,
                pixel_id=DEMO_PIXEL_ID,
                access_token=DEMO_META_TOKEN,
                send_to_meta=True,
            )


def start_worker(config: dict[str, Any]) -> subprocess.Popen[bytes]:
    """`sightline worker` beside the demo: it sends the outbox to devstore's fake Meta API."""
    env = {
        **os.environ,
        "DATABASE_URL": config["DATABASE_URL"],
        "META_GRAPH_URL": config["META_GRAPH_URL"],
        "SHOPIFY_ADMIN_URL_TEMPLATE": config["SHOPIFY_ADMIN_URL_TEMPLATE"],
        "APP_URL": config["APP_URL"],
        "SHOPIFY_API_KEY": DEV_API_KEY,
        "SHOPIFY_API_SECRET": DEV_API_SECRET,
    }
    env.pop("SHOPIFY_API_SECRET_OLD", None)
    return subprocess.Popen(
        [sys.executable, "-m", "shopify_app.cli", "worker", "--interval", "10"],
        env=env,
        stdout=subprocess.DEVNULL,
    )


INSTALL_WAIT_SECONDS = 3600.0


def send_sample_order_when_installed(devstore_port: int, shop: str) -> threading.Thread:
    """Once the merchant has opened the admin (the install wrote the storefront config),
    devstore sends a signed orders/paid, the shopper having consented: a first order arrives
    in an installed shop, as it would, and never races the install for the database."""
    store = f"http://127.0.0.1:{devstore_port}"

    def installed() -> bool:
        try:
            with requests.get(
                f"{store}/_devstore/shops/{shop}/metafields/sightline/config", timeout=2
            ) as response:
                return response.status_code == 200
        except requests.RequestException:
            return False

    def send() -> None:
        deadline = time.monotonic() + INSTALL_WAIT_SECONDS
        while not installed():
            if time.monotonic() > deadline:
                return
            time.sleep(0.5)  # a person opening the admin: nothing to be woken by
        spec = {
            "topic": "orders/paid",
            "shop": shop,
            "order": {"note_attributes": {CONSENT_ATTRIBUTE: "1"}},
        }
        # If it fails the demo still runs; an order can be sent from devstore by hand.
        with contextlib.suppress(requests.RequestException):
            requests.post(f"{store}/_devstore/webhooks", json=spec, timeout=10).close()

    thread = threading.Thread(target=send, name="demo-sample-order", daemon=True)
    thread.start()
    return thread


def instructions(shop: str, app_url: str, devstore_port: int) -> str:
    store = f"http://127.0.0.1:{devstore_port}/{shop}"
    return "\n".join(
        [
            "Sightline demo (development credentials, nothing leaves this machine):",
            f"  app:        {app_url}",
            f"  admin:      {store}/admin/apps/sightline   (installs the app, then opens it)",
            f"  storefront: {store}/products/red-shoes      (events go to {app_url}/proxy/track)",
            f"  deliveries: {store}/admin/apps/sightline/deliveries   (after the first admin "
            "visit a sample order arrives and goes to devstore's fake Meta API)",
            "Press Ctrl+C to stop.",
        ]
    )
