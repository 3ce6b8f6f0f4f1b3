"""Opaque record ids (DATA_PACKAGE.md): random, never sequential, stable once given."""

import re
import secrets

ID_MAX_LENGTH = 64
ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")
_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"  # Crockford base32, no i, l, o, u


def new_id() -> str:
    """A fresh id: 20 characters of base32, 100 bits of randomness."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(20))


def is_valid_id(value: str) -> bool:
    return bool(ID_PATTERN.match(value))
