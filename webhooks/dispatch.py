"""Which handler processes which topic. Topics not listed are acknowledged and ignored."""

from __future__ import annotations

from webhooks.compliance import record_data_request, redact_customer, redact_shop
from webhooks.context import Handler
from webhooks.orders import record_purchase
from webhooks.uninstall import record_uninstall

HANDLERS: dict[str, Handler] = {
    "orders/create": record_purchase,
    "orders/paid": record_purchase,
    "app/uninstalled": record_uninstall,
    "shop/redact": redact_shop,
    "customers/redact": redact_customer,
    "customers/data_request": record_data_request,
}


def handler_for(topic: str) -> Handler | None:
    return HANDLERS.get(topic)
