"""Every error leaves as JSON `{"error": ...}`; never a stack trace.

A database outage is not a bug: every request would fail the same way until the database is
back, so it answers 503 with `Retry-After` (JSON for the API, the storefront proxy and
webhooks; a page that says so for the admin's documents), logs one line without a traceback,
and the next request simply tries again (the pool drops broken connections).
"""

from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from peewee import InterfaceError, OperationalError
from playhouse.pool import MaxConnectionsExceeded, PooledDatabase
from werkzeug.exceptions import HTTPException

from models import db

log = logging.getLogger(__name__)

# What a database that is down, restarting, unreachable or out of connections raises.
OUTAGE_ERRORS: tuple[type[Exception], ...] = (
    OperationalError,
    InterfaceError,
    MaxConnectionsExceeded,
)
RETRY_AFTER_SECONDS = 5
# Machine clients: they get JSON. Everything else is a document a person looks at.
JSON_PATH_PREFIXES = ("/api/", "/proxy/", "/webhooks", "/healthz")


def json_error(message: str, status: int, headers: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    response = jsonify(error=message)
    response.status_code = status
    response.headers.update(headers or {})
    return response


def first_line(exc: BaseException) -> str:
    """The exception's first line of text (driver messages run over several)."""
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}"


def database_unavailable(exc: Exception):  # type: ignore[no-untyped-def]
    """503 + Retry-After for a database outage; one log line, no traceback."""
    log.warning(
        "database unavailable, answered 503 to %s %s: %s",
        request.method,
        request.path,
        first_line(exc),
    )
    _discard_connection()
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    if request.path.startswith(JSON_PATH_PREFIXES):
        return json_error("database temporarily unavailable", 503, headers)
    page = render_template(
        "auth/problem.html",
        title="Sightline is briefly unavailable",
        message=(
            "Sightline cannot reach its database right now. Nothing you saved is lost. "
            f"Reload the page in {RETRY_AFTER_SECONDS} seconds or so."
        ),
    )
    return page, 503, headers


def _discard_connection() -> None:
    # A connection that failed mid-way must not go back to the pool for the next request, and
    # the idle ones were most likely cut too: once the database is back, the next request
    # connects afresh instead of finding a dead connection (and answering 503 once more).
    try:
        if not db.is_closed():
            db.close()
        if isinstance(db.obj, PooledDatabase):
            db.obj.close_idle()
    except Exception:  # closing a dead connection may fail too; the pool opens a fresh one
        log.debug("closing a failed connection raised", exc_info=True)


def init_app(app: Flask) -> None:
    for error in OUTAGE_ERRORS:
        app.register_error_handler(error, database_unavailable)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):  # type: ignore[no-untyped-def]
        return json_error(exc.description or exc.name, exc.code or 500)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):  # type: ignore[no-untyped-def]
        log.exception("unhandled error")
        return json_error("internal error", 500)
