"""Which database the tests run on: SQLite files (`make test`), or a throw-away PostgreSQL server
(`make test-postgres` sets MICROFILM_TEST_POSTGRES to its URL).

On PostgreSQL every path a test would give a SQLite file names a schema of its own on that server; the
same path, the same schema, as a reopened file would be. Children a test starts get the URL itself.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from bot.storage import Database
from bot.testing.postgres import ENV

POSTGRES = os.environ.get(ENV)


def database_target(path: str | Path) -> str:
    """What to open for a test's database file: the path itself, or its schema's URL."""
    if not POSTGRES:
        return str(path)
    schema = "t_" + hashlib.sha256(str(Path(path).resolve()).encode()).hexdigest()[:16]
    return f"{POSTGRES}&search_path={schema}"


async def read_rows(path: str | Path, sql: str) -> list[tuple[object, ...]]:
    """Rows of a test's database after the bot has stopped, on whichever backend the run uses."""
    db = await Database.open(database_target(path))
    try:
        return [tuple(row) for row in await db.fetchall(sql)]
    finally:
        await db.close()
