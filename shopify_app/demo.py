"""`sightline demo`: the app beside devstore (the local Shopify stand-in), wired to each other,
for a first look without a Shopify store. Development credentials only."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from typing import Any

import requests

from models import open_database
from models.schema import migrate
from shopify_app.config import (
    DEV_API_KEY,
    DEV_API_SECRET,
    ConfigError,
    instance_dir,
    load_settings,
    sqlite_url,
)


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


def instructions(shop: str, app_url: str, devstore_port: int) -> str:
    store = f"http://127.0.0.1:{devstore_port}/{shop}"
    return "\n".join(
        [
            "Sightline demo (development credentials, nothing leaves this machine):",
            f"  app:        {app_url}",
            f"  admin:      {store}/admin/apps/sightline   (installs the app, then opens it)",
            f"  storefront: {store}/products/red-shoes      (events go to {app_url}/proxy/track)",
            "Press Ctrl+C to stop.",
        ]
    )
