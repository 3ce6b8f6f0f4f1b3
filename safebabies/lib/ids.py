"""Opaque record ids (DATA_PACKAGE.md): random, never sequential, stable once given."""

import base64
import re
import secrets

ID_MAX_LENGTH = 64
ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")
# An id as the OpenAPI schema states it (path parameters, `?case=` / `?child=` filters).
ID_SCHEMA = {"type": "string", "maxLength": ID_MAX_LENGTH, "pattern": ID_PATTERN.pattern}


def new_id() -> str:
    """A fresh id: 24 characters of base32 (a-z, 2-7), 120 bits of randomness."""
    return base64.b32encode(secrets.token_bytes(15)).decode().lower()


def is_valid_id(value: str) -> bool:
    return bool(ID_PATTERN.match(value))
