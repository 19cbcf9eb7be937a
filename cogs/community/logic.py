"""Link codes: random, readable, compared by hash."""

from __future__ import annotations

import hashlib
import secrets

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread
CODE_LENGTH = 8


def new_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
    return f"{raw[:4]}-{raw[4:]}"


def normalize(code: str) -> str:
    return "".join(char for char in code.upper() if char.isalnum())


def code_hash(code: str) -> str:
    """Codes are stored hashed, so a copy of the database cannot be used to link."""
    return hashlib.sha256(normalize(code).encode()).hexdigest()
