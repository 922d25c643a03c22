"""Customer data requests (GDPR `customers/data_request`), kept for the merchant to download."""

import datetime as dt

from peewee import CharField, DateTimeField, JSONField, Model


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _frozen_model(db):  # type: ignore[no-untyped-def]
    class CustomerDataRequest(Model):
        app_id = CharField(max_length=255)
        request_id = CharField(max_length=64)
        customer_id = CharField(max_length=32, null=True)
        orders_requested = JSONField(default=list)
        document = JSONField(default=dict)
        created_at = DateTimeField(default=_now)

        class Meta:
            database = db
            table_name = "customer_data_requests"
            indexes = (
                (("app_id", "request_id"), True),
                (("app_id", "customer_id"), False),
            )

    return CustomerDataRequest


def up(migrator, db):  # type: ignore[no-untyped-def]
    db.create_tables([_frozen_model(db)])


def down(migrator, db):  # type: ignore[no-untyped-def]
    db.drop_tables([_frozen_model(db)])
