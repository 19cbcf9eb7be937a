"""The storage interface every backend offers: transactions, one-statement writes, reads, scripts.

Repositories write one SQL dialect (SQLite's, with `?` placeholders); a backend that speaks another
(PostgreSQL) translates it. `Database.open` picks the backend from the target: a `postgresql://` URL, or
else a SQLite file path.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Iterable, Iterator, Sequence
from contextlib import AbstractAsyncContextManager, contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

Params = Sequence[Any] | dict[str, Any]
POSTGRES_SCHEMES = ("postgresql://", "postgres://")


class Row(Protocol):
    """A result row: by position or by column name, as sqlite3.Row and asyncpg.Record both are."""

    def __getitem__(self, key: int | str) -> Any: ...

    def __iter__(self) -> Iterator[Any]: ...

    def __len__(self) -> int: ...

    def keys(self) -> Any: ...


class Done(Protocol):
    """What a statement leaves behind: the new row id and how many rows it touched."""

    @property
    def lastrowid(self) -> int | None: ...

    @property
    def rowcount(self) -> int: ...


@dataclass(frozen=True)
class TextTerm:
    """One term of a full-text query: a word, or a phrase of words in a row; with `prefix`, the last word
    may go on (`nig` finds night)."""

    words: tuple[str, ...]
    prefix: bool = False


class DatabaseError(RuntimeError):
    """The database cannot be used; the message says which one and why."""


# Commits made by the current task while counted (see `counting_commits`).
_COMMITS: ContextVar[list[int] | None] = ContextVar("commits", default=None)


@contextmanager
def counting_commits() -> Iterator[list[int]]:
    """Count the commits this task makes inside the block: `with counting_commits() as n: ... n[0]`.

    A command that fails after one of its writes committed must not say that nothing was saved."""
    counter = [0]
    token = _COMMITS.set(counter)
    try:
        yield counter
    finally:
        _COMMITS.reset(token)


def count_commit() -> None:
    counter = _COMMITS.get()
    if counter is not None:
        counter[0] += 1


class Tx(ABC):
    """An open write transaction; callbacks given to `after_commit` run once it has committed."""

    def __init__(self) -> None:
        self._after_commit: list[Callable[[], Awaitable[object] | None]] = []

    @abstractmethod
    async def execute(self, sql: str, params: Params = ()) -> Done: ...

    @abstractmethod
    async def executemany(self, sql: str, rows: Iterable[Params]) -> None: ...

    @abstractmethod
    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]: ...

    async def fetchone(self, sql: str, params: Params = ()) -> Row | None:
        rows = await self.fetchall(sql, params)
        return rows[0] if rows else None

    @abstractmethod
    async def try_execute(self, sql: str, params: Params = ()) -> Done | None:
        """The statement, or None (and only it undone, the transaction going on) if it broke a constraint."""

    def after_commit(self, callback: Callable[[], Awaitable[object] | None]) -> None:
        self._after_commit.append(callback)

    async def run_callbacks(self) -> None:
        for callback in self._after_commit:
            result = callback()
            if result is not None:
                await result


class Database(ABC):
    """One backend's connections. `dialect` is "sqlite" or "postgresql"."""

    dialect: str
    path: str  # the target it was opened with (a file path, or a URL without its password)
    claimer = "local"  # names this process in the claims it makes (see live_claim)
    shared = False  # whether other processes may use the same database at once

    @staticmethod
    async def open(target: str | Path) -> Database:
        """The backend the target names: a `postgresql://` URL (password from PGPASSWORD) or a SQLite file."""
        text = str(target)
        if text.startswith(POSTGRES_SCHEMES):
            from bot.storage.postgres import PostgresDatabase

            return await PostgresDatabase.open(text)
        from bot.storage.database import SqliteDatabase

        return await SqliteDatabase.open(text)

    @abstractmethod
    async def close(self) -> None: ...

    @abstractmethod
    def text_match(self, index: str, columns: Sequence[str], terms: Sequence[TextTerm], *, every: bool,
                   everywhere: bool) -> tuple[str, list[Any]]:
        """A condition (and its parameters) true for rows of the full-text index `index` (joined under its
        own name, `rowid` the indexed row's id) holding every term (or, without `every`, any) in one of
        `columns`; `everywhere` says those are all the index's columns."""

    async def add_function(self, name: str, func: Callable[[Any], Any]) -> None:
        """A one-argument SQL function for its owner's migrations and triggers, where the backend runs
        Python in SQL (SQLite); PostgreSQL's migrations are written without them."""
        return None

    async def backup_before_migrating(self) -> Path | None:
        """A copy of the data before a new migration, where the backend makes one (SQLite's file copy;
        PostgreSQL's backups are the server's own business: pg_dump)."""
        return None

    @abstractmethod
    def transaction(self) -> AbstractAsyncContextManager[Tx]:
        """All of the block's writes commit together, or none does."""

    def quick_transaction(self) -> AbstractAsyncContextManager[Tx]:
        """A transaction for short, bounded, hot work (a batch of votes); a backend may run it faster."""
        return self.transaction()

    @abstractmethod
    async def write(self, sql: str, params: Params = ()) -> Done:
        """One statement on its own, committed at once."""

    @abstractmethod
    async def executescript(self, script: str) -> None:
        """Run a whole script atomically (used by migrations)."""

    @abstractmethod
    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]: ...

    async def fetchone(self, sql: str, params: Params = ()) -> Row | None:
        rows = await self.fetchall(sql, params)
        return rows[0] if rows else None

    async def fetchval(self, sql: str, params: Params = ()) -> Any:
        row = await self.fetchone(sql, params)
        return None if row is None else row[0]

    def live_claim(self, column: str) -> tuple[str, list[Any]]:
        """A condition true where `column` names a claimer still running: this process, or (on a database
        several processes share) another one still connected. A claim by a process that died is dead."""
        return f"COALESCE({column}, '') = ?", [self.claimer]


    async def listen(self, channel: str, callback: Callable[[str], None]) -> None:
        """Hear `notify(channel, ...)` from other processes; a backend used by one process only hears none."""
        return None

    async def notify(self, channel: str, payload: str) -> None:
        """Tell the other processes listening on `channel` (none share a backend used by one process)."""
        return None
