"""Helpers over either backend: retrying refused work, looking rows up by key in batches."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Awaitable, Callable, Iterator, Sequence
from typing import Any, TypeVar

import asyncpg

from bot.storage import database, postgres
from bot.storage.base import DatabaseError

log = logging.getLogger(__name__)
# What a storage failure raises, whichever the backend.
STORAGE_ERRORS = (sqlite3.Error, asyncpg.PostgresError, asyncpg.InterfaceError, DatabaseError)
# A write that broke a unique key, a foreign key or a check, whichever the backend.
INTEGRITY_ERRORS = (sqlite3.IntegrityError, asyncpg.IntegrityConstraintViolationError)


def is_transient(exc: BaseException) -> bool:
    """Worth trying the same work again: another process held the database, a full disk, a lost race."""
    if isinstance(exc, sqlite3.OperationalError):
        return database.is_transient(exc)
    return postgres.is_transient(exc)


RETRY_PAUSES = (0.5, 1.0, 2.0, 4.0, 8.0)  # seconds before each new try of work the database refused
T = TypeVar("T")


async def with_retries(attempt: Callable[[], Awaitable[T]], what: str) -> T:
    """Run `attempt` (whole work that may simply be done again: one transaction) until the database takes
    it: locked by another process or a full disk are waited out, for about fifteen seconds in all."""
    for pause in (*RETRY_PAUSES, None):
        try:
            return await attempt()
        except STORAGE_ERRORS as exc:
            if pause is None or not is_transient(exc):
                raise
            log.error("%s: the database refused (%s); trying again in %.1f s", what, exc, pause)
            await asyncio.sleep(pause)
    raise AssertionError("unreachable")


KEYS_PER_STATEMENT = 400  # rows of keys looked up in one statement (SQLite allows 32,766 parameters)


def keyed(columns: tuple[str, ...], rows: Sequence[tuple[Any, ...]]) -> tuple[str, list[Any]]:
    """`WITH wanted(<columns>) AS (VALUES (?, ?), ...)` and its parameters, to join on a table's key.

    A join is what SQLite answers from the key; `(a, b) IN (VALUES ...)` makes it scan the whole table."""
    # The first row's integers are cast, so the database knows those columns are integers (PostgreSQL
    # would take bare parameters as text); the other rows follow the first.
    first = rows[0] if rows else ()
    cast = "(" + ", ".join("CAST(? AS INTEGER)" if isinstance(value, int) else "?" for value in first) + ")"
    plain = "(" + ", ".join("?" * len(columns)) + ")"
    values = ",".join([cast, *[plain] * (len(rows) - 1)])
    return f"WITH wanted({', '.join(columns)}) AS (VALUES {values}) ", [part for row in rows for part in row]


def batches(rows: Sequence[T]) -> Iterator[Sequence[T]]:
    """`rows` in pieces of KEYS_PER_STATEMENT."""
    for start in range(0, len(rows), KEYS_PER_STATEMENT):
        yield rows[start:start + KEYS_PER_STATEMENT]


