"""PostgreSQL through asyncpg: a pool of connections shared by reads, writes and transactions.

Several bot processes may share one database. A transaction runs on one pooled connection; within a
process transactions still go one at a time (as on SQLite), so a repository never meets a conflict it
never met before, while between processes the database's own locks and unique keys decide. Work that
must run once across processes claims its rows with `FOR UPDATE SKIP LOCKED` inside the transaction that
does it: a process that dies mid-way rolls back, and its rows are free again.

Statements arrive in SQLite's dialect and are translated (bot.storage.pg_sql). Values are taken the way
SQLite takes them: an integer for a text column is written as its text, a bool for an integer column as
0 or 1, and sums and averages come back as Python numbers, not Decimals.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs, urlsplit, urlunsplit

import asyncpg

from bot.storage.base import Database, DatabaseError, Done, Params, Row, TextTerm, Tx, count_commit
from bot.storage.pg_sql import Table, inserted_table, sets_id, translate, update_or_ignore

log = logging.getLogger(__name__)
PASSWORD_ENV = "MICROFILM_DATABASE_PASSWORD"
POOL_SIZE = 10
_SESSION = "pid || '@' || backend_start::text"  # one server session, never reused: a process's name in its claims
# Which process a server session belongs to, for an operator looking at pg_stat_activity.
_NAMED = {"application_name": f"microfilm-bot pid {os.getpid()}"}
_SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")


@dataclass(frozen=True)
class Result:
    lastrowid: int | None
    rowcount: int


def _status_count(status: str) -> int:
    """The row count in a command status ("UPDATE 3", "INSERT 0 1")."""
    last = status.rsplit(" ", 1)[-1]
    return int(last) if last.isdigit() else 0


def _number(text: str) -> int | float:
    value = Decimal(text)
    return int(value) if value == value.to_integral_value() else float(value)


def _integer(value: Any) -> str:
    return str(int(value))


async def _init_connection(conn: asyncpg.Connection) -> None:
    # SQLite's loose typing, which the repositories were written against (see the module doc).
    await conn.set_type_codec("text", encoder=str, decoder=str, schema="pg_catalog", format="text")
    await conn.set_type_codec("varchar", encoder=str, decoder=str, schema="pg_catalog", format="text")
    for name in ("int8", "int4", "int2"):
        await conn.set_type_codec(name, encoder=_integer, decoder=int, schema="pg_catalog", format="text")
    await conn.set_type_codec("numeric", encoder=str, decoder=_number, schema="pg_catalog", format="text")


class PostgresTx(Tx):
    def __init__(self, db: PostgresDatabase, conn: asyncpg.Connection) -> None:
        super().__init__()
        self._db = db
        self._conn = conn
        self.notices: list[tuple[str, str]] = []

    async def execute(self, sql: str, params: Params = ()) -> Done:
        return await self._db.run(self._conn, sql, params)

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        name = inserted_table(sql)
        table = await self._db.table(self._conn, name)
        batch = [tuple(row) for row in rows]
        if batch:
            await self._conn.executemany(translate(sql, table), batch)
            if name is not None and table is not None and table.has_id and sets_id(sql):
                await self._db.catch_up(self._conn, name)

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        return list(await self._conn.fetch(translate(sql), *params))

    async def try_execute(self, sql: str, params: Params = ()) -> Done | None:
        try:
            async with self._conn.transaction():  # a savepoint: PostgreSQL would otherwise abort the whole
                return await self.execute(sql, params)
        except asyncpg.IntegrityConstraintViolationError:
            return None


class PostgresDatabase(Database):
    dialect = "postgresql"
    shared = True

    def __init__(self, path: str, pool: asyncpg.Pool, presence: asyncpg.Connection, claimer: str) -> None:
        self.path = path
        self._pool = pool
        # Open as long as this process runs: its server session is what makes this process's claims live.
        self._presence = presence
        self.claimer = claimer
        self._lock = asyncio.Lock()
        self._tables: dict[str, Table] = {}

    @classmethod
    async def open(cls, url: str) -> PostgresDatabase:  # type: ignore[override]
        shown = _without_password(url)
        password = os.environ.get(PASSWORD_ENV) or None
        try:
            await _ensure_schema(url, password)
            pool = await asyncpg.create_pool(url, password=password, min_size=1, max_size=POOL_SIZE,
                                             init=_init_connection, server_settings=_NAMED)
            assert pool is not None
            presence = await asyncpg.connect(url, password=password, server_settings=_NAMED)
            claimer = await presence.fetchval(f"SELECT {_SESSION} FROM pg_stat_activity WHERE pid = pg_backend_pid()")
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            raise DatabaseError(f"cannot open the database {shown}: {exc}") from exc
        return cls(shown, pool, presence, str(claimer))

    async def close(self) -> None:
        await self._presence.close()
        await self._pool.close()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Tx]:
        async with self._lock, self._pool.acquire() as conn, conn.transaction():
            tx = PostgresTx(self, conn)
            yield tx
        count_commit()
        await tx.run_callbacks()

    async def write(self, sql: str, params: Params = ()) -> Done:
        async with self._pool.acquire() as conn:
            done = await self.run(conn, sql, params)
        count_commit()
        return done

    async def executescript(self, script: str) -> None:
        async with self._lock, self._pool.acquire() as conn, conn.transaction():
            await conn.execute(script)
        self._tables.clear()  # a migration may have changed them

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        async with self._pool.acquire() as conn:
            return list(await conn.fetch(translate(sql), *params))


    def text_match(self, index: str, columns: Sequence[str], terms: Sequence[TextTerm], *, every: bool,
                   everywhere: bool) -> tuple[str, list[Any]]:
        # The index keeps a tsvector per column (see the migrations): a phrase is its words in a row
        # (`<->`), `:*` makes the last a prefix.
        def lexeme(word: str) -> str:
            return "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"

        query = (" & " if every else " | ").join(
            "(" + " <-> ".join(lexeme(word) for word in term.words) + (":*" if term.prefix else "") + ")"
            for term in terms)
        vector = " || ".join(f"{index}.{column}" for column in columns)
        return f"({vector}) @@ to_tsquery('simple', ?)", [query]

    def live_claim(self, column: str) -> tuple[str, list[Any]]:
        # A process's claims live as long as its presence session: the server ends that session at once
        # when the process dies, even by SIGKILL.
        return (f"(COALESCE({column}, '') = ? OR {column} IN (SELECT {_SESSION} FROM pg_stat_activity))",
                [self.claimer])

    async def listen(self, channel: str, callback: Callable[[str], None]) -> None:
        await self._presence.add_listener(channel, lambda _conn, _pid, _channel, payload: callback(payload))

    async def notify(self, channel: str, payload: str) -> None:
        async with self._pool.acquire() as conn:
            await conn.execute("SELECT pg_notify($1, $2)", channel, payload)

    # -- statements ------------------------------------------------------------------------------------------

    async def run(self, conn: asyncpg.Connection, sql: str, params: Params) -> Done:
        """One statement of any kind, with SQLite's lastrowid and rowcount."""
        ignoring = update_or_ignore(sql)
        if ignoring is not None:
            return await self._update_or_ignore(conn, *ignoring, params)
        name = inserted_table(sql)
        table = await self.table(conn, name)
        if table is not None and table.has_id:
            ids = await conn.fetch(translate(sql, table, returning=True), *params)
            if name is not None and sets_id(sql):
                await self.catch_up(conn, name)
            return Result(int(ids[-1][0]) if ids else None, len(ids))
        status = await conn.execute(translate(sql, table), *params)
        return Result(None, _status_count(status))

    async def catch_up(self, conn: asyncpg.Connection, table: str) -> None:
        """After rows were given their ids (an import): new rows are numbered after them."""
        await conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                           f"GREATEST((SELECT MAX(id) FROM {table}), 1))")

    async def _update_or_ignore(self, conn: asyncpg.Connection, table: str, assignments: str, where: str,
                                params: Params) -> Done:
        """Each matching row updated on its own; a row whose update would break a unique key stays."""
        values = list(params)
        split = assignments.count("?")
        set_values, where_values = values[:split], values[split:]
        found = await conn.fetch(translate(f"SELECT ctid FROM {table} WHERE {where}"), *where_values)
        changed = 0
        for row in found:
            try:
                async with conn.transaction():  # a savepoint: one refused row leaves the rest
                    await conn.execute(translate(f"UPDATE {table} SET {assignments} WHERE ctid = ?"),
                                       *set_values, row[0])
                changed += 1
            except asyncpg.UniqueViolationError:
                continue
        return Result(None, changed)

    async def table(self, conn: asyncpg.Connection, name: str | None) -> Table | None:
        if name is None:
            return None
        known = self._tables.get(name)
        if known is None:
            columns = await conn.fetch(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() "
                "AND table_name = $1", name)
            key = await conn.fetch(
                "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid "
                "AND a.attnum = ANY(i.indkey) WHERE i.indrelid = to_regclass($1) AND i.indisprimary", name)
            known = Table(tuple(str(row[0]) for row in key), any(row[0] == "id" for row in columns))
            self._tables[name] = known
        return known


def is_transient(exc: BaseException) -> bool:
    """A refusal worth trying again: a lost race between processes, or a connection that dropped."""
    return isinstance(exc, asyncpg.SerializationError | asyncpg.DeadlockDetectedError
                      | asyncpg.CannotConnectNowError | asyncpg.ConnectionDoesNotExistError)


def _without_password(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username}@{host}" if parts.username else host
    if parts.port:
        netloc += f":{parts.port}"
    return urlunsplit(parts._replace(netloc=netloc))


def has_password(url: str) -> bool:
    return urlsplit(url).password is not None


async def _ensure_schema(url: str, password: str | None) -> None:
    """A `search_path` in the URL names the schema the bot keeps its tables in: made if missing, so
    several bots (or communities) can share one database."""
    wanted = parse_qs(urlsplit(url).query).get("search_path", [""])[0].split(",")[0].strip()
    if not wanted:
        return
    if not _SCHEMA_NAME.match(wanted):
        raise DatabaseError(f"search_path {wanted!r} must be a plain lower-case name (letters, digits, _)")
    conn = await asyncpg.connect(url, password=password)
    try:
        await conn.execute(f"CREATE SCHEMA IF NOT EXISTS {wanted}")
    except asyncpg.UniqueViolationError:
        pass  # another process made it at the same instant
    finally:
        await conn.close()
