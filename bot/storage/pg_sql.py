"""Repositories' SQL (SQLite's dialect) as PostgreSQL takes it.

What differs is small and regular: `?` placeholders become `$n`; `INSERT OR IGNORE` becomes `ON CONFLICT
DO NOTHING`; `INSERT OR REPLACE` becomes an upsert on the table's primary key; an insert into a table
with an `id` column returns it (SQLite's lastrowid); `LIKE` is case-insensitive as SQLite's is; casts to
INTEGER are to 64-bit integers, as every SQLite integer is. `UPDATE OR IGNORE` (skip the rows that would
break a unique key) has no one-statement form and is run row by row (see postgres.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

_INSERT = re.compile(r"^\s*(?:WITH\b.*?\)\s*)?INSERT\s+(?:OR\s+(IGNORE|REPLACE)\s+)?INTO\s+(\w+)", re.I | re.S)
_UPDATE_OR_IGNORE = re.compile(r"^\s*UPDATE\s+OR\s+IGNORE\s+(\w+)\s+SET\s+(.*?)\s+WHERE\s+(.*)$", re.I | re.S)
_COLUMNS = re.compile(r"INTO\s+\w+\s*\(([^)]*)\)", re.I)
_QUOTED = re.compile(r"('(?:[^']|'')*')")
_CAST_INTEGER = re.compile(r"\bAS\s+INTEGER\s*\)", re.I)
_LIKE = re.compile(r"\bLIKE\b")


@dataclass(frozen=True)
class Table:
    """What translation needs to know of a table: its primary key and whether it has an `id` column."""

    primary_key: tuple[str, ...]
    has_id: bool


def inserted_table(sql: str) -> str | None:
    match = _INSERT.match(sql)
    return match.group(2) if match else None


def sets_id(sql: str) -> bool:
    """Whether an INSERT gives the `id` itself (an import), so the table's id sequence must catch up."""
    found = _COLUMNS.search(sql)
    return found is not None and "id" in (name.strip() for name in found.group(1).split(","))


def update_or_ignore(sql: str) -> tuple[str, str, str] | None:
    """(table, set clause, where clause) of an `UPDATE OR IGNORE`, else None."""
    match = _UPDATE_OR_IGNORE.match(sql)
    return (match.group(1), match.group(2), match.group(3)) if match else None


@lru_cache(maxsize=2048)
def translate(sql: str, table: Table | None = None, returning: bool = False) -> str:
    """The statement for PostgreSQL; `table` describes the table an INSERT writes, `returning` asks for
    its new ids."""
    sql = _placeholders(sql)
    match = _INSERT.match(sql)
    if match is not None:
        sql = _insert(sql, match.group(1), table, returning)
    return sql


def _placeholders(sql: str) -> str:
    """`?` -> `$1, $2, ...`, and the other word-level changes, outside string literals."""
    parts = _QUOTED.split(sql)
    number = 0
    out = []
    for index, part in enumerate(parts):
        if index % 2 == 1:  # a quoted literal: left as it is
            out.append(part)
            continue
        part = _LIKE.sub("ILIKE", _CAST_INTEGER.sub("AS BIGINT)", part))
        pieces = part.split("?")
        text = pieces[0]
        for piece in pieces[1:]:
            number += 1
            text += f"${number}{piece}"
        out.append(text)
    return "".join(out)


def _insert(sql: str, mode: str | None, table: Table | None, returning: bool) -> str:
    sql = re.sub(r"\bINSERT\s+OR\s+(IGNORE|REPLACE)\s+INTO\b", "INSERT INTO", sql, count=1, flags=re.I)
    body = sql.rstrip().rstrip(";")
    if mode is not None and mode.upper() == "IGNORE":
        body += " ON CONFLICT DO NOTHING"
    elif mode is not None and table is not None and table.primary_key:
        body += _replace_clause(body, table.primary_key)
    if returning and table is not None and table.has_id and " RETURNING " not in body.upper():
        body += " RETURNING id"
    return body


def _replace_clause(sql: str, key: tuple[str, ...]) -> str:
    """SQLite's REPLACE on the primary key: the row there takes every inserted value."""
    found = _COLUMNS.search(sql)
    columns = [name.strip() for name in found.group(1).split(",")] if found else []
    updates = [f"{name} = EXCLUDED.{name}" for name in columns if name not in key]
    conflict = f" ON CONFLICT ({', '.join(key)}) DO "
    return conflict + ("UPDATE SET " + ", ".join(updates) if updates else "NOTHING")
