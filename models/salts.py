"""Daily random salts for visitor fingerprints; old ones are deleted, so hashes cannot be
re-linked across days."""

from __future__ import annotations

from peewee import CharField, DateField

from models.base import BaseModel


class FingerprintSalt(BaseModel):
    day = DateField(primary_key=True)
    salt = CharField(max_length=64)

    class Meta:
        table_name = "fingerprint_salts"
