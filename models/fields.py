"""Field types that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

import ipaddress
from typing import Any

from peewee import Field, TextField

from models.crypto import get_cipher

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class InetField(Field):
    """INET on PostgreSQL, TEXT on SQLite; always an ipaddress object in Python."""

    field_type = "INET"

    def db_value(self, value: Any) -> str | None:
        return None if value is None else str(ipaddress.ip_address(value))

    def python_value(self, value: Any) -> IPAddress | None:
        return None if value is None else ipaddress.ip_address(value)


class EncryptedTextField(TextField):
    """Stores Fernet ciphertext; Python code only ever sees the plaintext."""

    def db_value(self, value: str | None) -> str | None:
        return None if value is None else get_cipher().encrypt(value)

    def python_value(self, value: str | None) -> str | None:
        return None if value is None else get_cipher().decrypt(value)
