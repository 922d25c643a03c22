"""Base model and shared helpers."""

from __future__ import annotations

import datetime as dt

from peewee import DateTimeField, Model

from models.database import db


def utcnow() -> dt.datetime:
    """Naive UTC timestamp: every datetime column holds UTC."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class BaseModel(Model):
    class Meta:
        database = db
        legacy_table_names = False


class TimestampedModel(BaseModel):
    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        self.updated_at = utcnow()
        return super().save(*args, **kwargs)
