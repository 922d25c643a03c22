"""Admin page listing customer data requests, each with the JSON to hand to the customer."""

from __future__ import annotations

import json

from flask import Blueprint, g, render_template

from shopify_app.auth.embedded import embedded_page
from shopify_app.custom_events.sync import sync_state
from webhooks.data_requests import list_requests

bp = Blueprint("data_requests_page", __name__)


@bp.get("/data-requests")
@embedded_page
def data_requests():  # type: ignore[no-untyped-def]
    requests = [
        {**row, "document": json.dumps(row["document"], indent=2, sort_keys=True)}
        for row in list_requests(g.shop, with_documents=True)
    ]
    return render_template(
        "admin/data_requests.html",
        requests=requests,
        id_token=g.id_token.raw,
        auth_query=g.auth_query,
        sync=sync_state(g.shop),
        shop=g.shop,
    )
