"""Runs the app under gunicorn from inside `sightline serve`."""

from __future__ import annotations

import sys
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication

GIL_SWITCH_SECONDS = 0.0005


def tune_interpreter() -> None:
    """Settings for a serving process; inherited by the workers gunicorn forks."""
    # A thread waiting on I/O (a request waiting for its commit) gets the GIL back only when the
    # running thread releases it: with CPU-bound work in the process (webhook processing, a
    # rollup round) that is every switch interval, 5 ms by default, paid at every I/O wait of
    # every request. Measured (bench/webhooks.py, 300/s): ack p99 445 ms at 5 ms, 12 ms here.
    sys.setswitchinterval(GIL_SWITCH_SECONDS)


class _Gunicorn(BaseApplication):  # type: ignore[misc]
    def __init__(self, app: Flask, options: dict[str, Any]) -> None:
        self._app = app
        self._options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        return self._app


def run_gunicorn(app: Flask, *, bind: str, workers: int, threads: int) -> None:
    tune_interpreter()
    _Gunicorn(
        app,
        {
            "bind": bind,
            "workers": workers,
            "threads": threads,
            "worker_class": "gthread",
            "preload_app": True,
            "accesslog": "-",
            # The path without its query string: launch URLs carry id_token and hmac.
            "access_log_format": '%(h)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms',
            "timeout": 30,
        },
    ).run()
