"""`sightline`: serve the app, migrate the database, and other operator commands."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable
from functools import wraps
from typing import Any

import click

from models.crypto import EncryptionKeyError, TokenDecryptionError, generate_key
from models.database import DatabaseUrlError
from models.event_conversion import ConversionError
from models.schema import SchemaBehindError
from shopify_app.config import ConfigError, describe_mode, load_settings
from shopify_app.database import DatabaseUnavailableError
from shopify_app.sockets import ServerStartError

# Failures an operator can fix from the message alone: one line, exit 1, no traceback.
OPERATOR_ERRORS = (
    ConfigError,
    DatabaseUrlError,
    DatabaseUnavailableError,
    SchemaBehindError,
    EncryptionKeyError,
    TokenDecryptionError,
    ServerStartError,
    ConversionError,
)


def _one_line_errors(command: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except OPERATOR_ERRORS as exc:
            click.echo(f"sightline: error: {exc}", err=True)
            sys.exit(1)

    return wrapper


@click.group()
def main() -> None:
    """Sightline: storefront event tracking for Shopify."""
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=None, help="Defaults to $PORT, then 8000.")
@click.option("--workers", type=int, default=2, show_default=True)
@click.option("--threads", type=int, default=8, show_default=True)
@click.option("--dev", is_flag=True, help="Flask's development server with reloading.")
@_one_line_errors
def serve(host: str, port: int | None, workers: int, threads: int, dev: bool) -> None:
    """Serve the app (gunicorn with threaded workers)."""
    from shopify_app import create_app

    port = port if port is not None else int(os.environ.get("PORT") or 8000)
    app = create_app()  # validates configuration, database and schema before binding
    if dev:
        app.run(host=host, port=port, debug=True, use_reloader=False)
        return
    from shopify_app.server import run_gunicorn

    run_gunicorn(app, bind=f"{host}:{port}", workers=workers, threads=threads)


@main.command()
@_one_line_errors
def migrate() -> None:
    """Apply pending database migrations (safe to run again)."""
    from models import open_database
    from models.schema import migrate as apply_migrations
    from shopify_app.database import DB_ERRORS

    settings = load_settings()
    click.echo(describe_mode(settings))
    database = open_database(settings["DATABASE_URL"], pooled=False)
    try:
        with database.connection_context():
            applied = apply_migrations(database)
    except DB_ERRORS as exc:
        raise DatabaseUnavailableError(
            f"cannot reach the database: {str(exc).strip().splitlines()[0]}"
        ) from None
    click.echo(
        f"applied {len(applied)} migration(s): {', '.join(applied)}"
        if applied
        else "schema is up to date"
    )


@main.command("partition-events")
@_one_line_errors
def partition_events() -> None:
    """PostgreSQL: prepare a large events table for migration 0019 while the app serves."""
    from models import open_database, utcnow
    from models.database import is_postgresql
    from models.event_conversion import prepare

    settings = load_settings()
    database = open_database(settings["DATABASE_URL"], pooled=False)
    if not is_postgresql(database):
        raise ConversionError("events is partitioned on PostgreSQL only; SQLite needs nothing")
    with database.connection_context():
        prepare(database, utcnow(), click.echo)


@main.command()
@click.option("--once", is_flag=True, help="Run one round and exit (for cron).")
@click.option(
    "--interval", type=float, default=30.0, show_default=True, help="Seconds between rounds."
)
@click.option(
    "--limit", type=int, default=500, show_default=True, help="Most items per duty per round."
)
@_one_line_errors
def worker(once: bool, interval: float, limit: int) -> None:
    """Retry failed webhooks and pending storefront-config syncs, in rounds."""
    from shopify_app import create_app
    from shopify_app.analytics.duty import rollup_round
    from shopify_app.worker import run_forever, run_round

    app = create_app()
    if once:
        click.echo(str(run_round(app, limit)))
        click.echo(rollup_round(app))
        return
    run_forever(app, interval)


@main.command()
@click.option("--rebuild", is_flag=True, help="Recompute every rollup and session from events.")
@_one_line_errors
def rollup(rebuild: bool) -> None:
    """Fold new events into the report rollups (one round), or rebuild them all."""
    from shopify_app import create_app
    from shopify_app.analytics import rebuild as rebuilding
    from shopify_app.analytics import rollups

    app = create_app()
    with app.app_context():
        if not rebuild:
            click.echo(str(rollups.run_round()))
            return
        steps = rebuilding.rebuild_plan()
        with click.progressbar(length=len(steps), label="rebuilding rollups") as bar:
            done = rebuilding.rebuild(lambda _step: bar.update(1))
    click.echo(f"rebuilt rollups: {done} steps over {len({s.app_id for s in steps})} shop(s)")


@main.command()
@click.option("--date", "day", required=True, help="A day in each shop's time zone: YYYY-MM-DD.")
@click.option("--shop", default=None, help="One shop (its *.myshopify.com domain); else all.")
@click.option("--repair", is_flag=True, help="Record the purchases of missing orders.")
@_one_line_errors
def reconcile(day: str, shop: str | None, repair: bool) -> None:
    """Compare a day's Shopify orders with recorded purchases and Meta deliveries."""
    from shopify_app import create_app
    from shopify_app.reconcile.cli import run_reconcile

    app = create_app()
    with app.app_context():
        lines, ok = run_reconcile(app, day, shop, repair)
    for line in lines:
        click.echo(line)
    if not ok:
        sys.exit(1)


@main.command("webhooks-retry")
@click.option("--limit", type=int, default=500, show_default=True)
@_one_line_errors
def webhooks_retry(limit: int) -> None:
    """Process again webhook deliveries that failed or were interrupted (one round)."""
    from shopify_app import create_app
    from webhooks.inbox import retry_failed_webhooks

    app = create_app()
    with app.app_context():
        report = retry_failed_webhooks(limit, geoip_city_db=app.config["GEOIP_CITY_DB"])
    click.echo(f"webhooks: {report.processed} processed, {report.failed} still failing")


@main.command()
@click.option("--port", type=int, default=8000, show_default=True, help="0: any free port.")
@click.option(
    "--devstore-port", type=int, default=8765, show_default=True, help="0: any free port."
)
@click.option("--shop", default="demo-shop.myshopify.com", show_default=True)
@_one_line_errors
def demo(port: int, devstore_port: int, shop: str) -> None:
    """The app and devstore (a local Shopify stand-in) side by side, for a first look."""
    from shopify_app import create_app
    from shopify_app.demo import (
        demo_config,
        instructions,
        prepare_database,
        prepare_demo_shop,
        send_sample_order_when_installed,
        start_devstore,
        start_worker,
    )
    from shopify_app.server import run_gunicorn
    from shopify_app.sockets import bound_port, listening_socket

    # Both ports are bound here, first: a taken port is one clear line, and port 0 works.
    app_socket = listening_socket("127.0.0.1", port)
    store_socket = listening_socket("127.0.0.1", devstore_port)
    port, devstore_port = bound_port(app_socket), bound_port(store_socket)
    config = demo_config(port, devstore_port)
    prepare_database(config["DATABASE_URL"])
    prepare_demo_shop(config, shop)
    devstore = start_devstore(store_socket, config["APP_URL"])
    store_socket.close()  # devstore holds its own copy now
    worker = start_worker(config)
    try:
        app = create_app(config)
        click.echo(instructions(shop, config["APP_URL"], devstore_port))
        send_sample_order_when_installed(devstore_port, shop)
        run_gunicorn(app, bind=f"fd://{app_socket.fileno()}", workers=1, threads=8)
    finally:
        for process in (worker, devstore):
            process.terminate()
            process.wait(timeout=10)


@main.command("generate-key")
def generate_key_command() -> None:
    """Print a new TOKEN_ENCRYPTION_KEY."""
    click.echo(generate_key())


if __name__ == "__main__":
    main()
