"""Privacy-law requests from Shopify: customer data assembled for the merchant to hand over."""

from __future__ import annotations

from peewee import CharField, DateTimeField, JSONField

from models.base import BaseModel, utcnow


class CustomerDataRequest(BaseModel):
    """One `customers/data_request`: what we store about that customer, as a JSON document."""

    app_id = CharField(max_length=255)
    request_id = CharField(max_length=64)  # Shopify's data_request.id
    customer_id = CharField(max_length=32, null=True)
    orders_requested = JSONField(default=list)
    document = JSONField(default=dict)  # the assembled data, served to the merchant as is
    created_at = DateTimeField(default=utcnow)

    class Meta:
        table_name = "customer_data_requests"
        indexes = (
            (("app_id", "request_id"), True),
            (("app_id", "customer_id"), False),
        )
