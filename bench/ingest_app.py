"""The WSGI app `bench/ingest.py` serves with gunicorn: Sightline as configured by the
environment, plus a no-op POST endpoint that parses the same kind of body and does nothing else,
so both are measured behind the very same server setup."""

from __future__ import annotations

import json
import os

from flask import Flask, jsonify, request

from shopify_app import create_app
from shopify_app.server import tune_interpreter


def build() -> Flask:
    application = create_app(
        {
            # The load comes from one address; the rate limits are not what is measured here.
            "PROXY_RATE_PER_SECOND": float(os.environ.get("BENCH_RATE", "1000000")),
            "PROXY_RATE_BURST": float(os.environ.get("BENCH_RATE", "1000000")),
            "PROXY_VISITOR_RATE_PER_SECOND": float(os.environ.get("BENCH_RATE", "1000000")),
            "PROXY_VISITOR_RATE_BURST": float(os.environ.get("BENCH_RATE", "1000000")),
        }
    )

    @application.post("/bench/noop")
    def noop():  # type: ignore[no-untyped-def]
        body = json.loads(request.get_data())
        return jsonify(accepted=len(body["events"]), rejected=[])

    return application


tune_interpreter()  # as `sightline serve` does
app = build()
