"""Errors a handler raises to answer the person with a catalog message; the transaction rolls back."""

from __future__ import annotations


class UserError(Exception):
    def __init__(self, key: str, **values: object) -> None:
        super().__init__(key)
        self.key = key
        self.values = values
