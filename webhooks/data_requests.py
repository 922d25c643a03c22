"""The merchant's view of customer data requests: list them, download one. Scoped by shop."""

from __future__ import annotations

from typing import Any

from models import CustomerDataRequest


def list_requests(shop: str, *, with_documents: bool = False) -> list[dict[str, Any]]:
    """Newest first; the documents (they can be large) only when asked for."""
    columns = [
        CustomerDataRequest.id,
        CustomerDataRequest.request_id,
        CustomerDataRequest.customer_id,
        CustomerDataRequest.orders_requested,
        CustomerDataRequest.created_at,
    ]
    if with_documents:
        columns.append(CustomerDataRequest.document)
    rows = (
        CustomerDataRequest.select(*columns)
        .where(CustomerDataRequest.app_id == shop)
        .order_by(CustomerDataRequest.created_at.desc(), CustomerDataRequest.id.desc())
    )
    return [
        {
            "id": row.id,
            "request_id": row.request_id,
            "customer_id": row.customer_id,
            "orders_requested": row.orders_requested,
            "created_at": row.created_at.isoformat() + "Z",
            **({"document": row.document} if with_documents else {}),
        }
        for row in rows
    ]


def get_document(shop: str, request_pk: int) -> CustomerDataRequest | None:
    """One request of `shop` with its document; None if it is not this shop's."""
    return CustomerDataRequest.get_or_none(
        (CustomerDataRequest.app_id == shop) & (CustomerDataRequest.id == request_pk)
    )
