"""Runs the app under gunicorn from inside `sightline serve`."""

from __future__ import annotations

from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication


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
