"""Errors a handler raises to answer the person with a catalog message; the transaction rolls back."""

from __future__ import annotations


class UserError(Exception):
    def __init__(self, key: str, **values: object) -> None:
        super().__init__(key)
        self.key = key
        self.values = values


class Refused(RuntimeError):
    """A command-line action refused with a message already phrased for the person (exit status 2)."""
