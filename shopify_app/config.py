"""Settings from environment variables, with defaults that run locally out of the box.

Local files (the default SQLite database, the demo's) live in one instance folder, found the way
Flask finds an app's instance folder (`<project>/instance` in a source checkout), never relative
to the working directory: run from another folder, the app must open the same database.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask.sansio.scaffold import find_package

DEFAULT_API_VERSION = "2026-10"

# Clearly-labelled development credentials: usable against devstore, refused in production.
# ruff: noqa: S105 (these are deliberately public development values)
DEV_API_KEY = "sightline-dev-api-key"
DEV_API_SECRET = "sightline-dev-secret-not-for-production-use-0000"
DEV_SECRET_KEY = "sightline-dev-session-key-not-for-production"
DEV_TOKEN_ENCRYPTION_KEY = "c2lnaHRsaW5lLWRldi1rZXktbm90LWZvci1wcm9kISE="  # Fernet key, dev only
DEV_APP_URL = "http://127.0.0.1:8000"

# Variables a production deployment must set itself.
REQUIRED_IN_PRODUCTION = (
    "SHOPIFY_API_KEY",
    "SHOPIFY_API_SECRET",
    "SECRET_KEY",
    "APP_URL",
    "TOKEN_ENCRYPTION_KEY",
)


class ConfigError(RuntimeError):
    """The configuration cannot run the app; the message says what to set."""


def instance_dir(env: Mapping[str, str] | None = None) -> Path:
    """`SIGHTLINE_INSTANCE_DIR`, else Flask's instance folder for this package: `<project>/instance`
    for a checkout (or an editable install), `<prefix>/var/shopify_app-instance` once installed."""
    env = os.environ if env is None else env
    if env.get("SIGHTLINE_INSTANCE_DIR"):
        return Path(env["SIGHTLINE_INSTANCE_DIR"]).expanduser().resolve()
    prefix, package_parent = find_package("shopify_app")
    if prefix is None:
        return Path(package_parent) / "instance"
    return Path(prefix) / "var" / "shopify_app-instance"


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def default_database_url(env: Mapping[str, str] | None = None) -> str:
    return sqlite_url(instance_dir(env) / "sightline.db")


def load_settings(env: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Read every setting from `env` (default: os.environ) into a Flask config mapping."""
    env = os.environ if env is None else env
    production = env.get("SIGHTLINE_ENV", "development") == "production"
    if production:
        missing = [name for name in REQUIRED_IN_PRODUCTION if not env.get(name)]
        if missing:
            raise ConfigError("SIGHTLINE_ENV=production needs " + ", ".join(missing) + " to be set")
    using_dev_credentials = not env.get("SHOPIFY_API_SECRET")

    def get(name: str, default: str) -> str:
        return env.get(name) or default

    return {
        "SIGHTLINE_ENV": "production" if production else "development",
        "USING_DEV_CREDENTIALS": using_dev_credentials,
        "SHOPIFY_API_KEY": get("SHOPIFY_API_KEY", DEV_API_KEY),
        "SHOPIFY_API_SECRET": get("SHOPIFY_API_SECRET", DEV_API_SECRET),
        "SHOPIFY_API_SECRET_OLD": env.get("SHOPIFY_API_SECRET_OLD") or None,
        "SHOPIFY_API_VERSION": get("SHOPIFY_API_VERSION", DEFAULT_API_VERSION),
        "SHOPIFY_ADMIN_URL_TEMPLATE": get("SHOPIFY_ADMIN_URL_TEMPLATE", "https://{shop}"),
        "APP_URL": get("APP_URL", DEV_APP_URL).rstrip("/"),
        "DATABASE_URL": env.get("DATABASE_URL") or default_database_url(env),
        "SECRET_KEY": get("SECRET_KEY", DEV_SECRET_KEY),
        "TOKEN_ENCRYPTION_KEY": get("TOKEN_ENCRYPTION_KEY", DEV_TOKEN_ENCRYPTION_KEY),
        "META_GRAPH_URL": get("META_GRAPH_URL", "https://graph.facebook.com").rstrip("/"),
        "META_API_VERSION": get("META_API_VERSION", "v24.0"),
        # Conversions API delivery: events per request (Meta allows 1,000) and requests in
        # flight per worker.
        "META_BATCH_SIZE": _int(env, "META_BATCH_SIZE", 1000, 1, 1000),
        "META_CONCURRENCY": _int(env, "META_CONCURRENCY", 4, 1, 32),
        "GEOIP_CITY_DB": env.get("GEOIP_CITY_DB") or None,
        # Proxies in front of the app that append to X-Forwarded-For: Shopify's app proxy (1),
        # plus one for a load balancer of our own. See shopify_app/proxy/client_address.py.
        "TRUSTED_PROXY_HOPS": _non_negative_int(env, "TRUSTED_PROXY_HOPS", 1),
        # Where the storefront rate limits count: memory:// (per process) or redis://... shared
        # by every worker and host. See shopify_app/proxy/ratelimit.py.
        "RATE_LIMIT_STORAGE_URI": get("RATE_LIMIT_STORAGE_URI", "memory://"),
        # Each serving process processes the webhook deliveries it acknowledges, in a thread of
        # its own (claims keep a `sightline worker` beside it from doing the same ones). "0"
        # leaves processing to workers only. See webhooks/background.py.
        "WEBHOOKS_IN_SERVER": env.get("WEBHOOKS_IN_SERVER", "1") != "0",
        # Above this many acknowledgements a second, a serving process's own processing waits
        # (at most 30 s in a row) so a burst's acknowledgements keep the CPU; "0" never waits.
        # See webhooks/background.py.
        "WEBHOOK_DEFER_ABOVE": float(env.get("WEBHOOK_DEFER_ABOVE") or 250),
        # Seconds a processor holds a claimed delivery (a crashed holder's rows wait this long).
        "WEBHOOK_CLAIM_SECONDS": float(env.get("WEBHOOK_CLAIM_SECONDS") or 30),
        "EVENT_RETENTION_DAYS": _retention_days(env.get("EVENT_RETENTION_DAYS") or "0"),
        # Order webhooks with many line items can pass 1 MB; the storefront endpoint enforces
        # its own 64 KB limit.
        "MAX_CONTENT_LENGTH": 10 * 1024 * 1024,
    }


def _non_negative_int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = -1
    if value < 0:
        raise ConfigError(f"{name} must be a whole number of 0 or more (got {raw!r})")
    return value


def _retention_days(raw: str) -> int:
    """0 keeps raw events forever; otherwise at least a week (Meta takes events 7 days old)."""
    if not (raw.isascii() and raw.isdigit()) or 0 < int(raw) < 7:
        raise ConfigError("EVENT_RETENTION_DAYS must be 0 (keep forever) or a number of days >= 7")
    return int(raw)


def _int(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = env.get(name)
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number (got {raw!r})") from None
    if not low <= value <= high:
        raise ConfigError(f"{name} must be between {low} and {high} (got {value})")
    return value


def _safe_database_label(url: str) -> str:
    """scheme://host/database: no user, password or query (which may carry a password)."""
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        # A file path, nothing secret in it: shown in full, so nobody wonders which file it is.
        path = url[len("sqlite:///") :] if url.startswith("sqlite:///") else ""
        return sqlite_url(Path(os.path.abspath(path))) if path and path != ":memory:" else url
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{parts.hostname or ''}{port}{parts.path}"


def describe_mode(config: Mapping[str, Any]) -> str:
    """The first log line: which mode, which database, and whether credentials are real."""
    db = _safe_database_label(config["DATABASE_URL"])
    if config["USING_DEV_CREDENTIALS"]:
        return (
            f"Sightline in {config['SIGHTLINE_ENV']} mode with DEVELOPMENT credentials "
            f"(not for real shops), database {db}"
        )
    return f"Sightline in {config['SIGHTLINE_ENV']} mode, database {db}"
