"""SQLite through aiosqlite and the loop's own connection: three connections to one WAL file.

A writer connection (aiosqlite, behind a lock) for transactions, a read-only connection beside it, and a
plain connection on the event loop's thread for short writes that would cost more in thread hops than in
work (one-statement writes, vote batches); it shares the writer's lock. WAL lets the reader see committed
data while a write transaction is open, so reads never wait on writes. Every write happens inside
`transaction()` or `quick_transaction()`, which commit all of it or none of it.

SQLite's one writer at a time already makes a transaction's reads its own, so the row locks repositories
ask for (`FOR UPDATE SKIP LOCKED`, which PostgreSQL needs) are simply left out here.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sqlite3
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiosqlite

from bot.storage.backup import backup_file, backups_folder, stamp
from bot.storage.base import (
    POSTGRES_SCHEMES,
    Database,
    DatabaseError,
    Done,
    Params,
    Row,
    TextTerm,
    Tx,
    count_commit,
)

log = logging.getLogger(__name__)
BUSY_TIMEOUT_MS = 5000
# The loop's own connection waits only briefly for another process's lock, then hands over (see write).
QUICK_BUSY_TIMEOUT_MS = 20
PRAGMAS = ("PRAGMA foreign_keys=ON", "PRAGMA synchronous=NORMAL")
ROW_LOCK = " FOR UPDATE SKIP LOCKED"


def _local(sql: str) -> str:
    """The statement as SQLite takes it: without row-lock clauses (see the module doc)."""
    return sql.replace(ROW_LOCK, "") if ROW_LOCK in sql else sql


class SqliteTx(Tx):
    """An open write transaction. Statements run on the writer connection; callbacks wait for the commit."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        super().__init__()
        self._conn = conn

    async def execute(self, sql: str, params: Params = ()) -> Done:
        cursor = await self._conn.execute(_local(sql), params)
        await cursor.close()
        return cursor  # lastrowid and rowcount stay readable after close

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        await self._conn.executemany(sql, rows)

    async def try_execute(self, sql: str, params: Params = ()) -> Done | None:
        try:  # SQLite undoes only the failed statement
            return await self.execute(sql, params)
        except sqlite3.IntegrityError:
            return None

    async def fetchone(self, sql: str, params: Params = ()) -> Row | None:
        async with self._conn.execute(_local(sql), params) as cursor:
            row: Row | None = await cursor.fetchone()
            return row

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        async with self._conn.execute(_local(sql), params) as cursor:
            return list(await cursor.fetchall())


class QuickTx(Tx):
    """The same transaction interface on the loop thread's own connection (see quick_transaction)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        super().__init__()
        self._quick = conn

    async def execute(self, sql: str, params: Params = ()) -> Done:
        cursor = self._quick.execute(_local(sql), params)
        cursor.close()
        return cursor

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        self._quick.executemany(sql, rows).close()

    async def try_execute(self, sql: str, params: Params = ()) -> Done | None:
        try:
            return await self.execute(sql, params)
        except sqlite3.IntegrityError:
            return None

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        return self._quick.execute(_local(sql), params).fetchall()


class SqliteDatabase(Database):
    dialect = "sqlite"

    def __init__(self, path: str, writer: aiosqlite.Connection, reader: aiosqlite.Connection,
                 quick: sqlite3.Connection) -> None:
        self.path = path
        self._writer = writer
        self._reader = reader
        # A plain connection on the event loop's own thread for one-statement writes: such a write takes
        # tens of microseconds, far less than a hop to a database thread and back (see `write`).
        self._quick = quick
        self._lock = asyncio.Lock()
        # Only this process uses the file: a claim left by an earlier run is a crashed one.
        self.claimer = f"sqlite:{os.getpid()}:{id(self)}"
        # Whether the file held tables when opened: migrations on such a file are preceded by a backup.
        self.existing = False
        self.migration_backup: Path | None = None

    @classmethod
    async def open(cls, path: str | Path) -> SqliteDatabase:
        path = str(path)
        _check_path(path)
        opened: list[aiosqlite.Connection] = []
        try:
            opened.append(await _connect(path))
            await _pragma(opened[0], "PRAGMA journal_mode=WAL")
            opened.append(await _connect(path))
            await _pragma(opened[1], "PRAGMA query_only=1")
            quick = sqlite3.connect(path, isolation_level=None)
            quick.row_factory = sqlite3.Row
            for pragma in (f"PRAGMA busy_timeout={QUICK_BUSY_TIMEOUT_MS}", *PRAGMAS):
                quick.execute(pragma).close()
            existing = quick.execute("SELECT 1 FROM sqlite_master WHERE name = 'schema_migrations'").fetchone()
        except sqlite3.Error as exc:
            for conn in opened:
                await conn.close()
            raise DatabaseError(f"cannot open the database {path}: {exc}") from exc
        db = cls(path, opened[0], opened[1], quick)
        db.existing = existing is not None
        return db

    async def backup_before_migrating(self) -> Path | None:
        """Once per opening of a database that held data, before its first new migration: a copy in the
        backups folder beside it, so an upgrade that goes wrong can be undone with `restore`."""
        if not self.existing or self.migration_backup is not None:
            return self.migration_backup
        target = backups_folder(self.path) / f"pre-migration-{stamp()}.sqlite3"
        self.migration_backup = await asyncio.to_thread(backup_file, self.path, target)
        log.info("backed up %s to %s before applying new migrations", self.path, target)
        return self.migration_backup

    def text_match(self, index: str, columns: Sequence[str], terms: Sequence[TextTerm], *, every: bool,
                   everywhere: bool) -> tuple[str, list[Any]]:
        # FTS5: a term is a quoted phrase, `*` makes its last word a prefix; everywhere is no column filter,
        # since a filter costs a look at every match's positions.
        expression = (" AND " if every else " OR ").join(
            '"' + " ".join(term.words).replace('"', '""') + '"' + ("*" if term.prefix else "") for term in terms)
        if not everywhere:
            expression = "{" + " ".join(columns) + "} : (" + expression + ")"
        return f"{index} MATCH ?", [expression]

    async def add_function(self, name: str, func: Callable[[Any], Any]) -> None:
        """A deterministic one-argument SQL function on every connection, for the migrations and
        triggers of its owner (a cog's index that stores text written by its own rules)."""
        for conn in (self._writer, self._reader):
            await conn.create_function(name, 1, func, deterministic=True)
        self._quick.create_function(name, 1, func, deterministic=True)

    async def close(self) -> None:
        self._quick.close()
        await self._reader.close()
        await self._writer.close()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Tx]:
        async with self._lock, self._writer_transaction() as tx:
            yield tx
        await tx.run_callbacks()

    @asynccontextmanager
    async def _writer_transaction(self) -> AsyncIterator[Tx]:
        """A transaction on the writer connection; the caller holds the lock."""
        tx = SqliteTx(self._writer)
        try:
            await self._writer.execute("BEGIN IMMEDIATE")
            yield tx
        except BaseException:
            # Also when cancelled while BEGIN was still queued on the database thread: the rollback
            # queues behind it, so the connection is never left inside a transaction.
            await asyncio.shield(self._writer.rollback())
            raise
        await self._writer.commit()
        count_commit()

    @asynccontextmanager
    async def quick_transaction(self) -> AsyncIterator[Tx]:
        """A transaction run on the loop's own thread: for short, bounded, hot work (a batch of votes).

        Every statement blocks the loop for as long as it runs, which for such work is far less than the
        hops to the database thread that `transaction()` makes. Other tasks may still await inside it
        (reading through the reader connection, queueing messages), but the statements never wait on I/O.
        When another process holds the database, the loop must not wait for it: the transaction then
        runs on the writer connection's thread, which waits (up to the busy timeout) as any other.
        """
        async with self._lock:
            if not _begin_quick(self._quick):
                async with self._writer_transaction() as slow:
                    yield slow
                tx: Tx = slow
            else:
                tx = QuickTx(self._quick)
                try:
                    yield tx
                except BaseException:
                    self._quick.rollback()
                    raise
                self._quick.commit()
                count_commit()
        await tx.run_callbacks()

    async def write(self, sql: str, params: Params = ()) -> Done:
        """One statement on its own, committed atomically by SQLite, for hot paths (the Telegram inbox).

        It runs on the loop's thread while holding the writer lock: no other write transaction of ours is
        open then, so it costs about what the statement itself costs. If another process holds the
        database, it waits on the writer connection's thread instead, so the loop never blocks on it.
        """
        async with self._lock:
            done: Done
            try:
                quick = self._quick.execute(sql, params)
                quick.close()
                done = quick
            except sqlite3.OperationalError as exc:
                if not _is_busy(exc):
                    raise
                slow = await self._writer.execute(sql, params)
                await slow.close()
                done = slow
            count_commit()
            return done

    async def executescript(self, script: str) -> None:
        """Run a whole script atomically (used by migrations)."""
        async with self._lock:
            try:
                await self._writer.executescript(f"BEGIN IMMEDIATE;\n{script}\nCOMMIT;")
            except BaseException:
                if self._writer.in_transaction:
                    await self._writer.rollback()
                raise

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        # Run and drain the statement in one call to the database thread. A statement left open between
        # calls (execute, then fetch) keeps the reader's snapshot alive, and with reads from many tasks
        # interleaving there is always one open: the reader would never see newer commits.
        return list(await self._reader.execute_fetchall(sql, params))




def is_transient(exc: sqlite3.OperationalError) -> bool:
    text = str(exc)
    return _is_busy(exc) or "disk is full" in text or "disk I/O error" in text


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    return "locked" in str(exc) or "busy" in str(exc)


def _begin_quick(conn: sqlite3.Connection) -> bool:
    """BEGIN IMMEDIATE on the loop's connection; False if another process holds the database."""
    try:
        conn.execute("BEGIN IMMEDIATE").close()
    except sqlite3.OperationalError as exc:
        if not _is_busy(exc):
            raise
        return False
    return True


async def _connect(path: str) -> aiosqlite.Connection:
    conn = await aiosqlite.connect(path, isolation_level=None)
    conn.row_factory = sqlite3.Row
    try:
        for pragma in (f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}", *PRAGMAS):
            await _pragma(conn, pragma)
    except BaseException:
        await conn.close()
        raise
    return conn


async def _pragma(conn: aiosqlite.Connection, sql: str) -> None:
    # Close the cursor at once: a PRAGMA that returns a row keeps its statement (and a lock) open otherwise.
    cursor = await conn.execute(sql)
    await cursor.close()


def _check_path(path: str) -> None:
    problem = database_problem(path)
    if problem:
        raise DatabaseError(f"cannot open the database {path}: {problem}")


def database_problem(path: str) -> str | None:
    """Why the database file cannot be used (no folder, not writable), or None (a PostgreSQL URL is checked
    when it is opened)."""
    if path.startswith(POSTGRES_SCHEMES):
        return None
    if path == ":memory:":
        return "the database must be a file (WAL needs one); give a path like data/bot.sqlite3"
    parent = Path(path).resolve().parent
    if not parent.is_dir():
        return f"folder {parent} does not exist (create it, or point [bot] database at a file in a folder that does)"
    target = Path(path)
    writable_target = target if target.exists() else parent
    if not _writable(writable_target):
        return f"{writable_target} is not writable"
    return None


def _writable(path: Path) -> bool:
    return os.access(path, os.W_OK)
